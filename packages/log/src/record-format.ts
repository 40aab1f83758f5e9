/**
 * The byte layout of data files and their records (documented byte by byte in the
 * README). Everything is little-endian. A record is checksummed as a whole, so a torn or
 * flipped byte anywhere in it is caught.
 *
 * Data file header (16 bytes):  magic "STOWLOG\0" · u16 format version · u8 kind · u8 0 · u32 CRC32C of bytes 0..12
 * Record (32-byte header):       u32 CRC32C of bytes 4..end · u8 flags · 3 zero bytes · u64 sequence ·
 *                                u64 timestamp ms · u32 key length · u32 value length · key · value
 */
import { crc32c } from '@stowage/fs';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './limits.js';

export const FILE_MAGIC = Buffer.from('STOWLOG\0', 'latin1');
export const FORMAT_VERSION = 1;
export const FILE_HEADER_SIZE = 16;
export const RECORD_HEADER_SIZE = 32;

/** What wrote a data file: appends of the live log, or a merge (which also writes a hint file). */
export type FileKind = 'log' | 'merged';
const kindCodes: Record<FileKind, number> = { log: 0, merged: 1 };

/** The record is a deletion (it has no value). */
export const FLAG_DELETED = 1;
/** The value was a string; it is stored as UTF-8 and read back as a string. */
export const FLAG_STRING = 2;
/** More records of the same transaction follow; the first record without it commits the group. */
export const FLAG_TXN_MORE = 4;
/**
 * This record continues a transaction begun by an earlier record. With FLAG_TXN_MORE it
 * tells first, middle and last records apart, so a scan that resumes after damage knows
 * which records belong to a transaction whose start was lost.
 */
export const FLAG_TXN_CONT = 8;
/** Both transaction framing flags. */
export const TXN_FLAGS = FLAG_TXN_MORE | FLAG_TXN_CONT;
const KNOWN_FLAGS = FLAG_DELETED | FLAG_STRING | TXN_FLAGS;

const TWO_32 = 2 ** 32;

export function encodeFileHeader(kind: FileKind): Buffer {
  const header = Buffer.alloc(FILE_HEADER_SIZE);
  FILE_MAGIC.copy(header, 0);
  header.writeUInt16LE(FORMAT_VERSION, 8);
  header.writeUInt8(kindCodes[kind], 10);
  header.writeUInt32LE(crc32c(header.subarray(0, 12)), 12);
  return header;
}

/** The kind of a data file from its header, or a reason the header is not valid. */
export function decodeFileHeader(header: Uint8Array): FileKind | { readonly invalid: string } {
  if (header.byteLength < FILE_HEADER_SIZE) return { invalid: 'file header is incomplete' };
  const bytes = Buffer.from(header.buffer, header.byteOffset, FILE_HEADER_SIZE);
  if (!bytes.subarray(0, 8).equals(FILE_MAGIC)) return { invalid: 'not a stowage log file (bad magic)' };
  if (bytes.readUInt32LE(12) !== crc32c(bytes.subarray(0, 12))) return { invalid: 'file header checksum mismatch' };
  const version = bytes.readUInt16LE(8);
  if (version !== FORMAT_VERSION) return { invalid: `unsupported format version ${version}` };
  const kind = bytes.readUInt8(10);
  if (kind === 0) return 'log';
  if (kind === 1) return 'merged';
  return { invalid: `unknown file kind ${kind}` };
}

/** One record about to be written. */
export interface RecordInput {
  readonly key: string;
  /** Undefined for a deletion. */
  readonly value: string | Uint8Array | undefined;
}

/** Bytes a record will take, given the UTF-8 length of its key and value. */
export function recordSize(keyBytes: number, valueBytes: number): number {
  return RECORD_HEADER_SIZE + keyBytes + valueBytes;
}

/**
 * Writes one record at `at` of `target` (which must have room for it) and returns the
 * byte length of its key; the caller measured sizes first.
 */
export function writeRecord(
  target: Buffer,
  at: number,
  flags: number,
  sequence: number,
  timestamp: number,
  key: string,
  keyBytes: number,
  value: string | Uint8Array | undefined,
  valueBytes: number,
): void {
  target.writeUInt32LE(flags, at + 4); // flags byte and three zero bytes
  writeU64(target, at + 8, sequence);
  writeU64(target, at + 16, timestamp);
  target.writeUInt32LE(keyBytes, at + 24);
  target.writeUInt32LE(valueBytes, at + 28);
  const keyAt = at + RECORD_HEADER_SIZE;
  target.write(key, keyAt, keyBytes, 'utf8');
  const valueAt = keyAt + keyBytes;
  if (typeof value === 'string') target.write(value, valueAt, valueBytes, 'utf8');
  else if (value !== undefined) target.set(value, valueAt);
  const end = valueAt + valueBytes;
  target.writeUInt32LE(crc32c(target, 0, at + 4, end), at);
}

/** The header fields of a record read from `buffer` at `at`. */
export interface RecordHeader {
  readonly flags: number;
  readonly sequence: number;
  readonly timestamp: number;
  readonly keyLength: number;
  readonly valueLength: number;
  /** Whole record, header included. */
  readonly size: number;
}

/**
 * Decodes the header at `at` if it is plausible (known flags, zero padding, lengths within
 * the limits); undefined otherwise. The checksum is checked separately by `recordIntact`,
 * once the whole record is in memory.
 */
export function readRecordHeader(buffer: Buffer, at: number): RecordHeader | undefined {
  const flags = buffer[at + 4]!;
  if ((flags & ~KNOWN_FLAGS) !== 0 || buffer[at + 5] !== 0 || buffer[at + 6] !== 0 || buffer[at + 7] !== 0) {
    return undefined;
  }
  const keyLength = buffer.readUInt32LE(at + 24);
  const valueLength = buffer.readUInt32LE(at + 28);
  if (keyLength > MAX_KEY_BYTES || valueLength > MAX_VALUE_BYTES) return undefined;
  if ((flags & FLAG_DELETED) !== 0 && valueLength !== 0) return undefined;
  return {
    flags,
    sequence: readU64(buffer, at + 8),
    timestamp: readU64(buffer, at + 16),
    keyLength,
    valueLength,
    size: RECORD_HEADER_SIZE + keyLength + valueLength,
  };
}

/** True when the record of `size` bytes at `at` matches its checksum. */
export function recordIntact(buffer: Buffer, at: number, size: number): boolean {
  return buffer.readUInt32LE(at) === crc32c(buffer, 0, at + 4, at + size);
}

export function writeU64(target: Buffer, at: number, value: number): void {
  // `>>> 0` is the value modulo 2^32 for every non-negative integer up to 2^53, as `% 2 ** 32`
  // is, without the floating-point remainder (a call into libm per field) a timestamp costs.
  target.writeUInt32LE(value >>> 0, at);
  target.writeUInt32LE(Math.floor(value / TWO_32), at + 4);
}

export function readU64(source: Buffer, at: number): number {
  return source.readUInt32LE(at) + source.readUInt32LE(at + 4) * TWO_32;
}
