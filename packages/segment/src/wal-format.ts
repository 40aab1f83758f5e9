/**
 * The byte layout of the write-ahead log (documented in the README). Little-endian. Each
 * change (a set, a delete, a batch, a clear) is one record, checksummed as a whole, so a
 * batch is replayed entirely or not at all.
 *
 * WAL file header (16 B): magic "STOWWAL\0" · u16 format version · u16 0 · u32 CRC32C of bytes 0..12
 * Record:                 u32 CRC32C of bytes 4..end · u32 body length · body
 * Body:                   u32 operation count · per operation: u8 kind (0 bytes, 1 string,
 *                         2 delete) · u32 key length · u32 value length · key · value
 */
import type { EncodedValue } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './limits.js';
import { HEADER_SIZE, KIND_BYTES, KIND_STRING, KIND_TOMBSTONE } from './segment-format.js';

// Stryker disable next-line StringLiteral: equivalent for 'latin1' (the magic is ASCII: the same bytes in UTF-8); the magic's own mutant is killed by the layout tests
export const WAL_MAGIC = Buffer.from('STOWWAL\0', 'latin1');
export const WAL_VERSION = 1;
/** The header is segment-format's encodeFileHeader with WAL_MAGIC and WAL_VERSION. */
export const WAL_HEADER_SIZE = HEADER_SIZE;
export const RECORD_HEADER_SIZE = 8;
const OPERATION_HEADER_SIZE = 9;
/** Largest record body: a batch may hold many operations, but not more than this. */
export const MAX_RECORD_BYTES = 1024 * 1024 * 1024;

/** One operation of a WAL record: a value to set, or undefined to delete. */
export interface WalOperation {
  readonly key: string;
  readonly value: EncodedValue | undefined;
}

/** Encodes one change as a record; `userBytes` gets the key and value bytes it carries. */
export function encodeRecord(operations: readonly WalOperation[]): Buffer {
  const keyLengths: number[] = [];
  const valueLengths: number[] = [];
  let size = RECORD_HEADER_SIZE + 4;
  for (const { key, value } of operations) {
    // Stryker disable next-line StringLiteral: equivalent: 'utf8' is byteLength's default
    const k = Buffer.byteLength(key, 'utf8');
    // Stryker disable next-line StringLiteral,ConditionalExpression: equivalent: 'utf8' is the default, and byteLength of a Uint8Array is its byteLength (the `typeof` test forced true)
    const v = value === undefined ? 0 : typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
    keyLengths.push(k);
    valueLengths.push(v);
    size += OPERATION_HEADER_SIZE + k + v;
  }
  const record = Buffer.allocUnsafe(size);
  record.writeUInt32LE(size - RECORD_HEADER_SIZE, 4);
  record.writeUInt32LE(operations.length, 8);
  let at = 12;
  for (let i = 0; i < operations.length; i++) {
    const { key, value } = operations[i]!;
    record[at] = value === undefined ? KIND_TOMBSTONE : typeof value === 'string' ? KIND_STRING : KIND_BYTES;
    record.writeUInt32LE(keyLengths[i]!, at + 1);
    record.writeUInt32LE(valueLengths[i]!, at + 5);
    at += OPERATION_HEADER_SIZE;
    // Stryker disable next-line StringLiteral: equivalent: 'utf8' is write's default
    at += record.write(key, at, keyLengths[i]!, 'utf8');
    // Stryker disable next-line StringLiteral: equivalent: 'utf8' is write's default
    if (typeof value === 'string') at += record.write(value, at, valueLengths[i]!, 'utf8');
    else if (value !== undefined) {
      record.set(value, at);
      at += value.byteLength;
    }
  }
  record.writeUInt32LE(crc32c(record.subarray(4)), 0);
  return record;
}

/** The record at `at`: its operations and size, or why there is none. */
export function decodeRecordAt(bytes: Buffer, at: number): { operations: WalOperation[]; size: number } | string {
  if (bytes.length - at < RECORD_HEADER_SIZE) return 'incomplete record header';
  const bodyLength = bytes.readUInt32LE(at + 4);
  if (bodyLength < 4 || bodyLength > MAX_RECORD_BYTES) return 'invalid record length';
  const end = at + RECORD_HEADER_SIZE + bodyLength;
  if (end > bytes.length) return 'record runs past the end of the file';
  if (bytes.readUInt32LE(at) !== crc32c(bytes.subarray(at + 4, end))) return 'record checksum mismatch';
  const count = bytes.readUInt32LE(at + 8);
  const operations: WalOperation[] = [];
  let cursor = at + 12;
  for (let i = 0; i < count; i++) {
    if (cursor + OPERATION_HEADER_SIZE > end) return 'operation runs past its record';
    const kind = bytes[cursor]!;
    const k = bytes.readUInt32LE(cursor + 1);
    const v = bytes.readUInt32LE(cursor + 5);
    cursor += OPERATION_HEADER_SIZE;
    if (kind > 2 || k > MAX_KEY_BYTES || v > MAX_VALUE_BYTES || cursor + k + v > end) return 'invalid operation';
    const key = bytes.toString('utf8', cursor, cursor + k);
    cursor += k;
    let value: EncodedValue | undefined;
    if (kind === KIND_STRING) value = bytes.toString('utf8', cursor, cursor + v);
    else if (kind === KIND_BYTES) value = Uint8Array.prototype.slice.call(bytes, cursor, cursor + v);
    cursor += v;
    operations.push({ key, value });
  }
  if (cursor !== end) return 'record has trailing bytes';
  return { operations, size: end - at };
}
