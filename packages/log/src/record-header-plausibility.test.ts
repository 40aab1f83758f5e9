/**
 * Guarantee: a record header is taken as plausible only when every byte the format fixes is
 * as written: no flag bit outside the four the format defines, the three padding bytes
 * after the flags zero, key and value lengths within the limits (a length exactly at its
 * limit accepted), and a deletion without a value. Anything else is not a record, so a
 * scan never trusts lengths read from garbage. `recordSize` measures what `writeRecord` writes.
 */
import { describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './limits.js';
import {
  FLAG_DELETED,
  FLAG_STRING,
  FLAG_TXN_CONT,
  FLAG_TXN_MORE,
  RECORD_HEADER_SIZE,
  readRecordHeader,
  recordSize,
  writeRecord,
} from './record-format.js';

/** A record of key `k`; `value` null for a deletion. */
function header(flags: number, value: string | null = 'v'): Buffer {
  const valueBytes = value === null ? 0 : Buffer.byteLength(value);
  const buffer = Buffer.alloc(RECORD_HEADER_SIZE + 1 + valueBytes);
  writeRecord(buffer, 0, flags, 7, 1_700_000_000_000, 'k', 1, value ?? undefined, valueBytes);
  return buffer;
}

describe('a plausible record header', () => {
  it('accepts every combination of the defined flags', () => {
    for (let flags = 0; flags < 16; flags++) {
      const value = (flags & FLAG_DELETED) !== 0 ? null : 'v';
      expect(readRecordHeader(header(flags, value), 0)?.flags).toBe(flags);
    }
    expect(FLAG_DELETED | FLAG_STRING | FLAG_TXN_MORE | FLAG_TXN_CONT).toBe(15);
  });

  it.each([16, 32, 64, 128])('refuses the undefined flag bit %i, alone or with defined ones', (bit) => {
    expect(readRecordHeader(header(bit), 0)).toBeUndefined();
    expect(readRecordHeader(header(bit | FLAG_STRING), 0)).toBeUndefined();
  });

  it.each([5, 6, 7])('refuses a non-zero padding byte at offset %i', (offset) => {
    const bytes = header(FLAG_STRING);
    bytes[offset] = 1;
    expect(readRecordHeader(bytes, 0)).toBeUndefined();
  });

  it('accepts a value length exactly at the limit and refuses one byte more', () => {
    const bytes = header(0);
    bytes.writeUInt32LE(MAX_VALUE_BYTES, 28);
    expect(readRecordHeader(bytes, 0)?.valueLength).toBe(MAX_VALUE_BYTES);
    bytes.writeUInt32LE(MAX_VALUE_BYTES + 1, 28);
    expect(readRecordHeader(bytes, 0)).toBeUndefined();
    bytes.writeUInt32LE(1, 28);
    bytes.writeUInt32LE(MAX_KEY_BYTES + 1, 24);
    expect(readRecordHeader(bytes, 0)).toBeUndefined();
  });

  it('reads the header at its offset in a larger buffer, with the size recordSize measures', () => {
    const one = header(FLAG_STRING, 'value');
    const two = Buffer.concat([Buffer.alloc(5, 0xff), one]);
    expect(readRecordHeader(two, 5)).toEqual(readRecordHeader(one, 0));
    expect(readRecordHeader(two, 5)?.size).toBe(one.length);
    expect(recordSize(1, 5)).toBe(one.length);
  });
});
