/**
 * The Bloom filter is part of the segment format: a filter written by one build is read by
 * another, so its hash, its probe sequence and its layout are promises. And it may answer
 * "maybe" for an absent key, never "absent" for a present one.
 */
import { describe, expect, it } from 'vitest';
import { BloomFilter, buildFilter, keyHash, probesFor } from './bloom-filter.js';

/** The documented hash, written the slow way: FNV-1a over the UTF-8 bytes, then murmur3's fmix32. */
function referenceHash(key: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The documented probe sequence (LevelDB's double hashing): the bits `hash` sets. */
function referenceBits(hash: number, probes: number, bits: number): number[] {
  const set: number[] = [];
  let h = hash;
  const delta = ((h >>> 17) | (h << 15)) >>> 0;
  for (let p = 0; p < probes; p++) {
    set.push(h % bits);
    h = (h + delta) >>> 0;
  }
  return set;
}

const bitsOf = (filter: Buffer, bytes: number) =>
  Array.from({ length: bytes * 8 }, (_, bit) => bit).filter((bit) => (filter[bit >>> 3]! & (1 << (bit & 7))) !== 0);

describe('bloom filter key hash', () => {
  it('is FNV-1a over the key as UTF-8 with the murmur3 finaliser, for 1- to 4-byte characters', () => {
    const keys = [
      '',
      'a',
      'k000042',
      '\u007f',
      '\u0080',
      'é',
      'ß-\u07ff',
      '\u0800',
      '日本語',
      '\ud7ff\ue000\uffff',
      '😀',
      'x😀y',
      '\u{10000}',
      '\u{10ffff}',
      'mixé日😀',
    ];
    for (const key of keys) expect(keyHash(key), JSON.stringify(key)).toBe(referenceHash(key));
  });

  it('is an unsigned 32-bit number that differs for keys differing in one byte', () => {
    const hashes = Array.from({ length: 1000 }, (_, n) => keyHash(`key-${n}`));
    expect(hashes.filter((hash) => !(Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32))).toEqual([]);
    expect(new Set(hashes).size).toBe(1000);
  });
});

describe('bloom filter block', () => {
  it('uses ln 2 × bits per key probes, at least 1 and at most 30', () => {
    expect([0, 1, 2, 3, 10, 20, 43, 44, 100].map(probesFor)).toEqual([1, 1, 1, 2, 7, 14, 30, 30, 30]);
  });

  it('is the bit array (at least 8 bytes) then the probe count, with each key setting its documented bits', () => {
    expect(buildFilter(new Uint32Array(0), 0, 10)).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 7]));
    // 7 keys × 10 bits = 70 bits: 9 bytes.
    expect(buildFilter(new Uint32Array(7), 7, 10).length).toBe(10);
    // 100 keys × 10 bits: exactly 125 bytes.
    expect(buildFilter(new Uint32Array(100), 100, 10).length).toBe(126);
    const hash = 0xdeadbeef;
    const one = buildFilter(Uint32Array.of(hash), 1, 10);
    expect(one.length).toBe(9);
    expect(one[8]).toBe(7);
    expect(bitsOf(one, 8)).toEqual([...new Set(referenceBits(hash, 7, 64))].sort((a, b) => a - b));
    // Only the first `count` hashes are added.
    expect(buildFilter(Uint32Array.of(hash, 12_345), 1, 10)).toEqual(one);
  });

  it('never answers absent for a key it holds, and mostly answers absent for others', () => {
    const count = 2000;
    const hashes = Uint32Array.from({ length: count }, (_, n) => keyHash(`in-${n}`));
    const filter = new BloomFilter(buildFilter(hashes, count, 10));
    expect([...hashes].filter((hash) => !filter.mayContain(hash))).toEqual([]);
    let passed = 0;
    for (let n = 0; n < 10_000; n++) if (filter.mayContain(keyHash(`out-${n}`))) passed++;
    // About 1% at 10 bits per key with 7 probes.
    expect(passed).toBeGreaterThan(20);
    expect(passed).toBeLessThan(300);
    expect(filter.byteLength).toBe(2501);
  });

  it('reads back exactly the bits the writer set: absent when any probe bit is clear', () => {
    const hash = 0x12345678;
    const content = buildFilter(Uint32Array.of(hash), 1, 10);
    expect(new BloomFilter(content).mayContain(hash)).toBe(true);
    for (const bit of new Set(referenceBits(hash, 7, 64))) {
      const cleared = Buffer.from(content);
      cleared[bit >>> 3]! &= ~(1 << (bit & 7));
      expect(new BloomFilter(cleared).mayContain(hash), `bit ${bit}`).toBe(false);
    }
    // A filter with every bit set but fewer probes recorded still says maybe.
    expect(new BloomFilter(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1])).mayContain(hash)).toBe(
      true,
    );
  });

  it('with no bits at all answers maybe for every key', () => {
    const empty = new BloomFilter(Buffer.from([7]));
    expect(empty.mayContain(0)).toBe(true);
    expect(empty.mayContain(keyHash('anything'))).toBe(true);
    expect(empty.byteLength).toBe(1);
  });
});
