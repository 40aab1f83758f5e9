import { describe, expect, it } from 'vitest';
import { bitsOf, hashed, hashKey } from './hash.js';

// Frozen outputs: the hash is part of the file format, so any change must fail here.
const vectors: [string | number[], number, number, number][] = [
  ['', 0, 0x24d525d4, 0xc9777727],
  ['a', 0, 0xf108baa4, 0x1e71979f],
  ['ab', 0, 0x9cdfec0f, 0xc0cf11f6],
  ['hello world', 0, 0xaa3b792d, 0xb60a56a1],
  ['hello world', 42, 0x04e28c32, 0x1ecc0218],
  ['ключ', 7, 0xb45d2d6a, 0x67c60535],
  ['😀', 0, 0x6998728d, 0xda0e091f],
  [[], 0, 0xcfa11301, 0x0c77f6f4],
  [[1, 2, 3], 0, 0xbf47c51a, 0x1a8b312d],
  [[1, 2, 3, 4, 5, 6, 7, 8], 0xffffffff, 0xca5309f1, 0xa0623731],
];

describe('hashKey', () => {
  it.each(vectors)('hashes %j with seed %i to the frozen vector', (key, seed, hi, lo) => {
    hashKey(typeof key === 'string' ? key : new Uint8Array(key), seed);
    expect([hashed.hi, hashed.lo]).toEqual([hi, lo]);
  });

  it('tells a string from bytes of the same content and one seed from another', () => {
    hashKey('ab', 0);
    const text = [hashed.hi, hashed.lo];
    hashKey(new Uint8Array([0x61, 0, 0x62, 0]), 0);
    expect([hashed.hi, hashed.lo]).not.toEqual(text);
    hashKey('ab', 1);
    expect([hashed.hi, hashed.lo]).not.toEqual(text);
  });

  it('spreads keys evenly over the top bits (chi-square over 256 buckets)', () => {
    const buckets = new Array<number>(256).fill(0);
    const keys = 256 * 400;
    for (let i = 0; i < keys; i++) {
      hashKey(`user:${i}`, 0);
      buckets[hashed.hi >>> 24]!++;
    }
    const expected = keys / 256;
    const chi = buckets.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 255 degrees of freedom: the 99.9th percentile is about 330.
    expect(chi).toBeLessThan(330);
  });
});

describe('bitsOf', () => {
  it('reads any window of the 64-bit stream hi·lo', () => {
    const hi = 0x12345678;
    const lo = 0x9abcdef0;
    const all = (BigInt(hi) << 32n) | BigInt(lo);
    for (let start = 0; start < 64; start += 3) {
      for (let length = 0; length <= 32 && start + length <= 64; length += 5) {
        const expected = length === 0 ? 0n : (all >> BigInt(64 - start - length)) & ((1n << BigInt(length)) - 1n);
        expect(bitsOf(hi, lo, start, length), `start ${start} length ${length}`).toBe(Number(expected));
      }
    }
  });
});
