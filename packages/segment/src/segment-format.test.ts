/**
 * The segment file layout as the README writes it down, checked byte by byte: a file
 * written by one build must read in another, so every offset, width and checksum range
 * is a promise, not a detail.
 */
import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import {
  checkFileHeader,
  decodeFooter,
  encodeFileHeader,
  encodeFooter,
  FOOTER_SIZE,
  FORMAT_VERSION,
  HEADER_SIZE,
  readU64,
  readVarint,
  SEGMENT_MAGIC,
  varintSize,
  writeU64,
  writeVarint,
} from './segment-format.js';

const footer = {
  index: { offset: 2 ** 40 + 17, length: 0xfffffffe },
  filter: { offset: 2 ** 33 + 3, length: 65_537 },
  entries: 2 ** 45 + 1,
};

/** The footer bytes re-sealed: a new CRC over bytes 0..36, so only the change is wrong. */
function resealed(bytes: Buffer): Buffer {
  bytes.writeUInt32LE(crc32c(bytes.subarray(0, 36)), 36);
  return bytes;
}

describe('segment file header', () => {
  it('is magic, u16 version, u16 zero and the CRC32C of bytes 0..12', () => {
    const header = encodeFileHeader(SEGMENT_MAGIC, 3);
    expect(header.length).toBe(HEADER_SIZE);
    expect(header.subarray(0, 8).toString('latin1')).toBe('STOWSEG\0');
    expect(header.readUInt16LE(8)).toBe(3);
    expect(header.readUInt16LE(10)).toBe(0);
    expect(header.readUInt32LE(12)).toBe(crc32c(header.subarray(0, 12)));
  });

  it('is accepted only whole, with its magic, its checksum and the expected version', () => {
    const good = encodeFileHeader(SEGMENT_MAGIC, FORMAT_VERSION);
    expect(checkFileHeader(good, SEGMENT_MAGIC, FORMAT_VERSION, 'segment')).toBeUndefined();
    // One byte short, even with every byte present up to there.
    expect(checkFileHeader(good.subarray(0, HEADER_SIZE - 1), SEGMENT_MAGIC, FORMAT_VERSION, 'segment')).toMatch(
      /incomplete/,
    );
    const otherMagic = encodeFileHeader(Buffer.from('STOWWAL\0', 'latin1'), FORMAT_VERSION);
    expect(checkFileHeader(otherMagic, SEGMENT_MAGIC, FORMAT_VERSION, 'segment')).toMatch(/magic/);
    const flipped = Buffer.from(good);
    flipped[10]! ^= 1; // the reserved u16, covered by the checksum
    expect(checkFileHeader(flipped, SEGMENT_MAGIC, FORMAT_VERSION, 'segment')).toMatch(/checksum/);
    // A well-sealed header of another version is refused for its version, not its checksum.
    const newer = encodeFileHeader(SEGMENT_MAGIC, FORMAT_VERSION + 1);
    expect(checkFileHeader(newer, SEGMENT_MAGIC, FORMAT_VERSION, 'segment')).toMatch(/version 2/);
  });
});

describe('segment footer', () => {
  it('puts every field at its documented offset, 64-bit fields beyond 2^32 included', () => {
    const bytes = encodeFooter(footer);
    expect(bytes.length).toBe(FOOTER_SIZE);
    expect(bytes.readBigUInt64LE(0)).toBe(BigInt(footer.index.offset));
    expect(bytes.readUInt32LE(8)).toBe(footer.index.length);
    expect(bytes.readBigUInt64LE(12)).toBe(BigInt(footer.filter.offset));
    expect(bytes.readUInt32LE(20)).toBe(footer.filter.length);
    expect(bytes.readBigUInt64LE(24)).toBe(BigInt(footer.entries));
    expect(bytes.readUInt16LE(32)).toBe(FORMAT_VERSION);
    expect(bytes.readUInt16LE(34)).toBe(0);
    expect(bytes.readUInt32LE(36)).toBe(crc32c(bytes.subarray(0, 36)));
    expect(bytes.subarray(40, 48).equals(SEGMENT_MAGIC)).toBe(true);
    expect(decodeFooter(bytes)).toEqual(footer);
  });

  it('is refused when short, with another magic, a bad checksum or another version', () => {
    const good = encodeFooter(footer);
    expect(decodeFooter(good.subarray(0, FOOTER_SIZE - 1))).toMatch(/incomplete/);
    const magic = Buffer.from(good);
    magic[47] = 0x21;
    expect(decodeFooter(magic)).toMatch(/magic/);
    // Bytes 36..40 are the CRC itself; 0..36 are what it covers: the last of them counts.
    const flipped = Buffer.from(good);
    flipped[35]! ^= 1;
    expect(decodeFooter(flipped)).toMatch(/checksum/);
    const newer = Buffer.from(good);
    newer.writeUInt16LE(FORMAT_VERSION + 1, 32);
    expect(decodeFooter(resealed(newer))).toMatch(/version 2/);
  });
});

describe('fixed-width and varint integers', () => {
  it('u64 little-endian round-trips up to 2^53 - 1 and matches node BigInt encoding', () => {
    for (const value of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 52 + 12_345, Number.MAX_SAFE_INTEGER]) {
      const bytes = Buffer.alloc(12, 0xee);
      writeU64(bytes, 2, value);
      expect(bytes.readBigUInt64LE(2)).toBe(BigInt(value));
      expect(readU64(bytes, 2)).toBe(value);
      // Nothing around the 8 bytes is touched.
      expect([bytes[0], bytes[1], bytes[10], bytes[11]]).toEqual([0xee, 0xee, 0xee, 0xee]);
    }
  });

  it('varints are LEB128: 7 bits a byte, low first, the high bit marking more to come', () => {
    const cases: [number, number[]][] = [
      [0, [0x00]],
      [1, [0x01]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [300, [0xac, 0x02]],
      [16_383, [0xff, 0x7f]],
      [16_384, [0x80, 0x80, 0x01]],
      [2 ** 32 - 1, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, encoded] of cases) {
      const bytes = Buffer.alloc(8);
      const end = writeVarint(bytes, 1, value);
      expect([...bytes.subarray(1, end)], String(value)).toEqual(encoded);
      expect(varintSize(value), String(value)).toBe(encoded.length);
      const cursor = { at: 1 };
      expect(readVarint(bytes, cursor, end), String(value)).toBe(value);
      expect(cursor.at).toBe(end);
    }
  });

  it('a varint read is -1 when it runs past its end or past five bytes', () => {
    const two = Buffer.from([0x80, 0x01]);
    expect(readVarint(two, { at: 0 }, 1)).toBe(-1);
    expect(readVarint(two, { at: 2 }, 2)).toBe(-1);
    // Five continuation bytes and a sixth that would end it: longer than any length here.
    expect(readVarint(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), { at: 0 }, 6)).toBe(-1);
    // Five bytes, the last one ending it, is the longest accepted.
    expect(readVarint(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01]), { at: 0 }, 5)).toBe(2 ** 28);
  });
});
