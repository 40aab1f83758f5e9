/**
 * A hint file sits beside a merged data file and lists its records without their values,
 * so open can fill the key directory without reading the data. Written whole through a
 * temp file and rename, so it is checked with one CRC over the whole file.
 *
 * Layout: magic "STOWHINT" · u16 version · u16 0 · u32 data file id, then per record
 * u8 flags · 3 zero bytes · u64 sequence · u64 timestamp · u32 record offset ·
 * u32 key length · u32 value length · key bytes (36 bytes + key), then u32 entry count · u32 CRC32C of
 * everything before it.
 */
import { crc32c } from '@stowage/fs';
import { FORMAT_VERSION, readU64, writeU64 } from './record-format.js';

export const HINT_MAGIC = Buffer.from('STOWHINT', 'latin1');
const HEADER_SIZE = 16;
const ENTRY_HEADER_SIZE = 36;
const FOOTER_SIZE = 8;

export interface HintEntry {
  readonly flags: number;
  readonly sequence: number;
  readonly timestamp: number;
  /** Offset of the record in the data file. */
  readonly offset: number;
  readonly keyLength: number;
  readonly valueLength: number;
}

/** Collects the entries of one merged data file and produces the hint file's bytes. */
export class HintWriter {
  #chunks: Buffer[] = [];
  #count = 0;

  constructor(dataFileId: number) {
    const header = Buffer.alloc(HEADER_SIZE);
    HINT_MAGIC.copy(header, 0);
    header.writeUInt16LE(FORMAT_VERSION, 8);
    header.writeUInt32LE(dataFileId, 12);
    this.#chunks.push(header);
  }

  /** Adds an entry; `key` holds exactly the key's UTF-8 bytes. */
  add(entry: HintEntry, key: Uint8Array): void {
    const bytes = Buffer.alloc(ENTRY_HEADER_SIZE + key.byteLength);
    bytes.writeUInt8(entry.flags, 0);
    writeU64(bytes, 8, entry.sequence);
    writeU64(bytes, 16, entry.timestamp);
    bytes.writeUInt32LE(entry.offset, 24);
    bytes.writeUInt32LE(entry.keyLength, 28);
    bytes.writeUInt32LE(entry.valueLength, 32);
    bytes.set(key, ENTRY_HEADER_SIZE);
    this.#chunks.push(bytes);
    this.#count++;
  }

  finish(): Buffer {
    const body = Buffer.concat(this.#chunks);
    const footer = Buffer.alloc(FOOTER_SIZE);
    footer.writeUInt32LE(this.#count, 0);
    const crc = crc32c(footer.subarray(0, 4), crc32c(body));
    footer.writeUInt32LE(crc, 4);
    return Buffer.concat([body, footer]);
  }
}

/**
 * Calls `visit` for every entry of a hint file, with the key decoded, after checking the
 * whole file's CRC; returns a reason when the file is not a valid hint for `dataFileId`.
 * The entry object is reused from call to call (open reads millions): copy what you keep.
 */
export function readHintFile(
  bytes: Buffer,
  dataFileId: number,
  visit: (entry: HintEntry, key: string) => void,
): string | undefined {
  if (bytes.length < HEADER_SIZE + FOOTER_SIZE) return 'hint file is too short';
  if (!bytes.subarray(0, 8).equals(HINT_MAGIC)) return 'not a hint file (bad magic)';
  const footerAt = bytes.length - FOOTER_SIZE;
  if (crc32c(bytes.subarray(0, footerAt + 4)) !== bytes.readUInt32LE(footerAt + 4))
    return 'hint file checksum mismatch';
  if (bytes.readUInt16LE(8) !== FORMAT_VERSION) return 'unsupported hint format version';
  if (bytes.readUInt32LE(12) !== dataFileId) return 'hint file belongs to another data file';
  const count = bytes.readUInt32LE(footerAt);
  // Stryker disable next-line ObjectLiteral: every field is assigned before the first visit
  const entry = { flags: 0, sequence: 0, timestamp: 0, offset: 0, keyLength: 0, valueLength: 0 };
  let at = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    // The CRC matched, so a bad length here means a writer bug, not damage; the entries
    // visited so far are still true.
    if (at + ENTRY_HEADER_SIZE > footerAt) return 'hint file entries run past its end';
    const keyLength = bytes.readUInt32LE(at + 28);
    const keyAt = at + ENTRY_HEADER_SIZE;
    if (keyAt + keyLength > footerAt) return 'hint file entries run past its end';
    entry.flags = bytes[at]!;
    entry.sequence = readU64(bytes, at + 8);
    entry.timestamp = readU64(bytes, at + 16);
    entry.offset = bytes.readUInt32LE(at + 24);
    entry.keyLength = keyLength;
    entry.valueLength = bytes.readUInt32LE(at + 32);
    visit(entry, bytes.toString('utf8', keyAt, keyAt + keyLength));
    at = keyAt + keyLength;
  }
  return at === footerAt ? undefined : 'hint file entry count does not match its size';
}
