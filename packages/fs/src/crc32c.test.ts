import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

const text = (value: string) => new TextEncoder().encode(value);

/** The plain bit-at-a-time definition, to check the sliced tables against. */
function reference(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe('crc32c', () => {
  it('matches the standard check value for "123456789"', () => {
    expect(crc32c(text('123456789'))).toBe(0xe3069283);
  });

  it('matches the RFC 3720 vectors for 32 zero bytes and 32 0xFF bytes', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it('matches the RFC 3720 vector for ascending bytes 0..31', () => {
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it('is 0 for empty input', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('agrees with the bit-at-a-time definition at every length around the 8-byte step', () => {
    const data = Uint8Array.from({ length: 67 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let length = 0; length <= data.length; length++) {
      const slice = data.subarray(0, length);
      expect(crc32c(slice), `length ${length}`).toBe(reference(slice));
    }
  });

  it('continues a previous checksum across chunks', () => {
    const data = text('the quick brown fox jumps over the lazy dog');
    for (const cut of [0, 1, 7, 8, 9, 20, data.length]) {
      expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).toBe(crc32c(data));
    }
  });

  it('reads a view at its own offset, not the start of its buffer', () => {
    const backing = text('xx123456789yy');
    expect(crc32c(backing.subarray(2, 11))).toBe(0xe3069283);
  });

  it('reads every byte exactly once, at every length around the 8-byte step', () => {
    const data = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff);
    for (let length = 0; length <= data.length; length++) {
      const slice = data.subarray(0, length);
      // Counts indexed reads, and stops a loop that never ends instead of hanging.
      const reads = new Map<string, number>();
      let gets = 0;
      const watched = new Proxy(slice, {
        get(target, property, receiver) {
          if (++gets > 2 * length + 32) throw new Error(`still reading at ${String(property)}`);
          if (typeof property === 'string') reads.set(property, (reads.get(property) ?? 0) + 1);
          const value = Reflect.get(target, property, receiver === watched ? target : receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      expect(crc32c(watched), `length ${length}`).toBe(reference(slice));
      const indexes = [...reads].filter(([property]) => /^-?\d+$/.test(property));
      expect(
        indexes.map(([property]) => Number(property)).sort((a, b) => a - b),
        `length ${length}`,
      ).toEqual(Array.from({ length }, (_, i) => i));
      expect(
        indexes.every(([, count]) => count === 1),
        `length ${length}`,
      ).toBe(true);
    }
  });

  it('sums exactly data[start, end) when given a range, as the subarray would, for every start and end', () => {
    const data = Uint8Array.from({ length: 120 }, (_, i) => (i * 97 + 13) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= 90; end++) {
        expect(crc32c(data, 0, start, end), `[${start}, ${end})`).toBe(reference(data.subarray(start, end)));
      }
    }
  });

  it('sees every bit flipped inside a range, and none of the bytes outside it', () => {
    const data = text('a record header, its key and its value');
    const sum = crc32c(data, 0, 4, 30);
    for (let i = 4; i < 30; i++) {
      for (let bit = 0; bit < 8; bit++) {
        data[i]! ^= 1 << bit;
        expect(crc32c(data, 0, 4, 30), `byte ${i} bit ${bit}`).not.toBe(sum);
        data[i]! ^= 1 << bit;
      }
    }
    data[3]! ^= 0xff;
    data[30]! ^= 0xff;
    expect(crc32c(data, 0, 4, 30)).toBe(sum);
  });

  it('continues a previous checksum over a range', () => {
    const data = text('the quick brown fox jumps over the lazy dog');
    expect(crc32c(data, crc32c(data, 0, 0, 11), 11, data.length)).toBe(crc32c(data));
  });

  it('refuses a range outside the bytes given instead of summing undefined as zero', () => {
    const data = new Uint8Array(10);
    for (const [start, end] of [
      [-1, 5],
      [0, 11],
      [6, 5],
      [Number.NaN, 5],
    ] as const) {
      expect(() => crc32c(data, 0, start, end), `[${start}, ${end})`).toThrow(RangeError);
    }
    expect(crc32c(data, 0, 10, 10)).toBe(0);
  });
});
