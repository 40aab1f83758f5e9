/**
 * The maplet's hash: 64 bits from two 32-bit lanes in one pass (MurmurHash3-style
 * multiply-rotate rounds and its fmix32 finaliser), computed with `Math.imul` only — no
 * BigInt, whose allocation would cost more than the whole lookup. A string is hashed as
 * its UTF-16 code units (two per 32-bit word), which JavaScript defines the same on every
 * platform, so no UTF-8 encoding is paid per call; bytes are hashed four per word,
 * little-endian. The output is part of the file format (HASH_ID): never change it without
 * a new id. Test vectors: hash.test.ts.
 */

/** Identifies this hash function in snapshots; a snapshot with another id is refused. */
export const HASH_ID = 1;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const C3 = 0x85ebca6b;
const C4 = 0xc2b2ae35;

/** The last hash, in two words: `hi` holds the first 32 bits of the fingerprint stream. */
export const hashed = { hi: 0, lo: 0 };

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, C3);
  h ^= h >>> 13;
  h = Math.imul(h, C4);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hashes `key` with `seed` into `hashed.hi` / `hashed.lo`. */
export function hashKey(key: string | Uint8Array, seed: number): void {
  let h1 = seed | 0;
  let h2 = (seed ^ 0x9e3779b9) | 0;
  let length: number;
  let rest = -1; // the last, partial word; -1 when there is none
  const isString = typeof key === 'string';
  // The rounds are written out in both loops (not a helper): this is the hottest code of a lookup.
  if (isString) {
    length = key.length;
    const pairs = length & ~1;
    for (let i = 0; i < pairs; i += 2) {
      const word = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16);
      let k1 = Math.imul(word, C1);
      k1 = (k1 << 15) | (k1 >>> 17);
      h1 ^= Math.imul(k1, C2);
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      let k2 = Math.imul(word, C2);
      k2 = (k2 << 17) | (k2 >>> 15);
      h2 ^= Math.imul(k2, C1);
      h2 = (h2 << 19) | (h2 >>> 13);
      h2 = (Math.imul(h2, 5) + 0x38495ab5) | 0;
    }
    if (length & 1) rest = key.charCodeAt(length - 1);
    length *= 2;
  } else {
    length = key.length;
    const words = length & ~3;
    for (let i = 0; i < words; i += 4) {
      const word = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
      let k1 = Math.imul(word, C1);
      k1 = (k1 << 15) | (k1 >>> 17);
      h1 ^= Math.imul(k1, C2);
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      let k2 = Math.imul(word, C2);
      k2 = (k2 << 17) | (k2 >>> 15);
      h2 ^= Math.imul(k2, C1);
      h2 = (h2 << 19) | (h2 >>> 13);
      h2 = (Math.imul(h2, 5) + 0x38495ab5) | 0;
    }
    if (length & 3) {
      rest = 0;
      for (let i = length - 1; i >= words; i--) rest = (rest << 8) | key[i]!;
    }
  }
  if (rest >= 0) {
    let k1 = Math.imul(rest, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    let k2 = Math.imul(rest, C2);
    k2 = (k2 << 17) | (k2 >>> 15);
    h2 ^= Math.imul(k2, C1);
  }
  // Strings and bytes of equal content hash apart: the kind is part of the length word.
  h1 ^= length;
  h2 ^= length ^ (isString ? 0x5bd1e995 : 0);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  hashed.hi = h1 >>> 0;
  hashed.lo = h2 >>> 0;
}

/** `length` bits (at most 32) of the 64-bit stream hi·lo starting at bit `start` (0 = top bit of hi). */
export function bitsOf(hi: number, lo: number, start: number, length: number): number {
  if (length === 0) return 0;
  const end = start + length;
  if (end <= 32) return ((hi << start) >>> (32 - length)) >>> 0;
  if (start >= 32) return ((lo << (start - 32)) >>> (32 - length)) >>> 0;
  const fromHi = 32 - start;
  const high = (hi << start) >>> start; // the low `fromHi` bits of hi
  const fromLo = length - fromHi;
  return (high * 2 ** fromLo + (lo >>> (32 - fromLo))) >>> 0;
}
