import { describe, expect, it } from 'vitest';
import { checkRecordAt, findResumePoint, scanGroups } from './file-scan.js';
import {
  decodeFileHeader,
  encodeFileHeader,
  FLAG_DELETED,
  FLAG_STRING,
  FLAG_TXN_CONT,
  FLAG_TXN_MORE,
  RECORD_HEADER_SIZE,
  readRecordHeader,
  readU64,
  recordIntact,
  writeRecord,
  writeU64,
} from './record-format.js';

function record(flags: number, sequence: number, key: string, value: string | Uint8Array | undefined): Buffer {
  const keyBytes = Buffer.byteLength(key);
  const valueBytes = value === undefined ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
  const buffer = Buffer.alloc(RECORD_HEADER_SIZE + keyBytes + valueBytes);
  writeRecord(buffer, 0, flags, sequence, 1_700_000_000_000, key, keyBytes, value, valueBytes);
  return buffer;
}

describe('record format', () => {
  it('round-trips every header field, including sequences past 2^32', () => {
    const bytes = record(FLAG_STRING, 2 ** 40 + 5, 'ключ', 'значение');
    const header = readRecordHeader(bytes, 0)!;
    expect(header).toEqual({
      flags: FLAG_STRING,
      sequence: 2 ** 40 + 5,
      timestamp: 1_700_000_000_000,
      keyLength: 8,
      valueLength: 16,
      size: bytes.length,
    });
    expect(recordIntact(bytes, 0, bytes.length)).toBe(true);
    expect(bytes.toString('utf8', RECORD_HEADER_SIZE + 8)).toBe('значение');
  });

  it('catches a flipped bit anywhere in the record', () => {
    const bytes = record(0, 1, 'key', new Uint8Array([1, 2, 3]));
    for (let at = 0; at < bytes.length; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ 0x04;
      expect(typeof checkRecordAt(damaged, 0)).toBe('string');
    }
  });

  it('refuses headers with unknown flags or a deletion that carries a value', () => {
    expect(readRecordHeader(record(64, 1, 'k', 'v'), 0)).toBeUndefined();
    expect(readRecordHeader(record(FLAG_DELETED, 1, 'k', 'v'), 0)).toBeUndefined();
    expect(readRecordHeader(record(FLAG_DELETED, 1, 'k', undefined), 0)?.flags).toBe(FLAG_DELETED);
  });

  it('u64 fields hold every safe integer', () => {
    const buffer = Buffer.alloc(8);
    for (const value of [0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      writeU64(buffer, 0, value);
      expect(readU64(buffer, 0)).toBe(value);
    }
  });

  it('file headers carry magic, version and kind under a checksum', () => {
    expect(decodeFileHeader(encodeFileHeader('log'))).toBe('log');
    expect(decodeFileHeader(encodeFileHeader('merged'))).toBe('merged');
    const damaged = encodeFileHeader('log');
    damaged[9] = 1;
    expect(decodeFileHeader(damaged)).toEqual({ invalid: 'file header checksum mismatch' });
    expect(decodeFileHeader(Buffer.from('nope'))).toEqual({ invalid: 'file header is incomplete' });
  });
});

describe('transaction framing', () => {
  const group = Buffer.concat([
    record(FLAG_TXN_MORE, 1, 'a', '1'),
    record(FLAG_TXN_MORE | FLAG_TXN_CONT, 2, 'b', '2'),
    record(FLAG_TXN_CONT, 3, 'c', '3'),
  ]);
  const single = record(0, 4, 'd', '4');

  it('a group is reported only once its closing record is there', () => {
    const groups: string[][] = [];
    const visit = (found: readonly { offset: number }[]) => groups.push(found.map((item) => String(item.offset)));
    const whole = scanGroups(Buffer.concat([group, single]), 0, visit);
    expect(groups.length).toBe(2);
    expect(whole.openGroupAt).toBeUndefined();
    groups.length = 0;
    const cut = scanGroups(group.subarray(0, group.length - 1), 0, visit);
    expect(groups).toEqual([]);
    expect(cut.openGroupAt).toBe(0);
    expect(cut.damage?.offset).toBe(2 * (RECORD_HEADER_SIZE + 2));
  });

  it('a record interrupting a group, or a continuation without a start, is damage', () => {
    expect(scanGroups(Buffer.concat([group.subarray(0, 34), single]), 0, () => {}).damage?.reason).toMatch(
      /interrupted/,
    );
    expect(scanGroups(group.subarray(34), 0, () => {}).damage?.reason).toMatch(/without its start/);
  });

  it('resumes after damage past the rest of a transaction whose start was lost', () => {
    const bytes = Buffer.concat([group, single]);
    bytes[5] = 0xff; // the first record of the group is now garbage
    expect(findResumePoint(bytes, 1)).toBe(group.length);
  });
});
