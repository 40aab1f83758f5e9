/**
 * The byte layout of a segment file (written down byte by byte in the README). Every
 * integer is little-endian; every block and the footer carries a CRC32C, so any flipped
 * byte is caught before a value is returned.
 *
 * File       header · data block 0 · ... · data block n-1 · filter block · index block · footer
 * Header     (16 B) magic "STOWSEG\0" · u16 format version · u16 0 · u32 CRC32C of bytes 0..12
 * Block      content · u32 CRC32C of content  (a "handle" is u64 offset + u32 content length)
 * Data block entries · u32 restart offset × r · u32 r
 *   entry    varint shared key bytes · varint unshared key bytes · varint value length ·
 *            u8 kind (0 bytes, 1 UTF-8 string, 2 tombstone) · unshared key bytes · value
 *            (every RESTART_INTERVAL-th entry shares nothing: a restart point for binary search)
 * Filter     Bloom bit array · u8 probe count  (hash: see bloom-filter.ts)
 * Index      per data block: varint key length · its last key · u64 offset · u32 content length;
 *            then u32 block count
 * Footer     (48 B) u64 index offset · u32 index length · u64 filter offset · u32 filter length ·
 *            u64 entry count · u16 format version · u16 0 · u32 CRC32C of bytes 0..36 ·
 *            magic "STOWSEG\0"
 */
import { crc32c } from '@stowage/fs';

// Stryker disable next-line StringLiteral: equivalent for 'latin1' (the magic is ASCII: the same bytes in UTF-8); the magic's own mutant is killed by the layout tests
export const SEGMENT_MAGIC = Buffer.from('STOWSEG\0', 'latin1');
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 16;
export const FOOTER_SIZE = 48;
/** Bytes of the CRC32C after every block's content. */
export const BLOCK_TRAILER_SIZE = 4;

export const KIND_BYTES = 0;
export const KIND_STRING = 1;
export const KIND_TOMBSTONE = 2;

/** Where a block lies: its content (the CRC follows it). */
export interface BlockHandle {
  readonly offset: number;
  readonly length: number;
}

export interface Footer {
  readonly index: BlockHandle;
  readonly filter: BlockHandle;
  readonly entries: number;
}

const TWO_32 = 2 ** 32;

/**
 * The 16-byte header a segment and a WAL file both start with: magic (8 B) · u16 format
 * version · u16 0 · u32 CRC32C of bytes 0..12.
 */
export function encodeFileHeader(magic: Buffer, version: number): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  magic.copy(header, 0);
  header.writeUInt16LE(version, 8);
  header.writeUInt32LE(crc32c(header.subarray(0, 12)), 12);
  return header;
}

/** Undefined when `header` is valid for `magic` and `version`, else why not; `kind` names the file (`segment`, `WAL`). */
export function checkFileHeader(header: Buffer, magic: Buffer, version: number, kind: string): string | undefined {
  if (header.length < HEADER_SIZE) return `${kind} file header is incomplete`;
  if (!header.subarray(0, 8).equals(magic)) return `not a stowage ${kind} file (bad magic)`;
  if (header.readUInt32LE(12) !== crc32c(header.subarray(0, 12))) return `${kind} file header checksum mismatch`;
  const found = header.readUInt16LE(8);
  if (found !== version) return `unsupported ${kind} format version ${found}`;
  return undefined;
}

export function encodeFooter(footer: Footer): Buffer {
  const bytes = Buffer.alloc(FOOTER_SIZE);
  writeU64(bytes, 0, footer.index.offset);
  bytes.writeUInt32LE(footer.index.length, 8);
  writeU64(bytes, 12, footer.filter.offset);
  bytes.writeUInt32LE(footer.filter.length, 20);
  writeU64(bytes, 24, footer.entries);
  bytes.writeUInt16LE(FORMAT_VERSION, 32);
  bytes.writeUInt32LE(crc32c(bytes.subarray(0, 36)), 36);
  SEGMENT_MAGIC.copy(bytes, 40);
  return bytes;
}

/** The footer, or why it is not valid. */
export function decodeFooter(bytes: Buffer): Footer | string {
  if (bytes.length < FOOTER_SIZE) return 'footer is incomplete';
  if (!bytes.subarray(40, 48).equals(SEGMENT_MAGIC)) return 'not a stowage segment file (bad footer magic)';
  if (bytes.readUInt32LE(36) !== crc32c(bytes.subarray(0, 36))) return 'footer checksum mismatch';
  const version = bytes.readUInt16LE(32);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version}`;
  return {
    index: { offset: readU64(bytes, 0), length: bytes.readUInt32LE(8) },
    filter: { offset: readU64(bytes, 12), length: bytes.readUInt32LE(20) },
    entries: readU64(bytes, 24),
  };
}

export function writeU64(target: Buffer, at: number, value: number): void {
  target.writeUInt32LE(value % TWO_32, at);
  target.writeUInt32LE(Math.floor(value / TWO_32), at + 4);
}

export function readU64(source: Buffer, at: number): number {
  return source.readUInt32LE(at) + source.readUInt32LE(at + 4) * TWO_32;
}

/** Writes `value` as an unsigned LEB128 varint at `at`; returns the position after it. */
export function writeVarint(target: Buffer, at: number, value: number): number {
  let rest = value;
  while (rest >= 0x80) {
    target[at++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 128);
  }
  target[at++] = rest;
  return at;
}

export function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 128)) size++;
  return size;
}

/**
 * Reads a varint at `cursor.at` (at most 5 bytes: lengths here stay below 2^32), advancing
 * it; -1 when it runs past `end` or is too long (damage).
 */
export function readVarint(source: Buffer, cursor: { at: number }, end: number): number {
  let value = 0;
  let shift = 1;
  for (let i = 0; i < 5; i++) {
    if (cursor.at >= end) return -1;
    const byte = source[cursor.at++]!;
    value += (byte & 0x7f) * shift;
    if (byte < 0x80) return value;
    shift *= 128;
  }
  return -1;
}
