/**
 * A Bloom filter over a segment's keys, so a get of an absent key usually costs no data
 * block read. The hash is FNV-1a over the key's UTF-8 bytes (computed from the string on
 * the fly, so a lookup allocates nothing) with murmur3's finaliser; the k probes are
 * derived from it by double hashing, as LevelDB does.
 */

/** 32-bit hash of the UTF-8 bytes of `key`. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    let code = key.charCodeAt(i);
    if (code < 0x80) {
      h = Math.imul(h ^ code, 0x01000193);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < key.length) {
      code = 0x10000 + ((code - 0xd800) << 10) + (key.charCodeAt(++i) - 0xdc00);
      h = Math.imul(h ^ (0xf0 | (code >> 18)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((code >> 12) & 0x3f)), 0x01000193);
    } else if (code >= 0x800) {
      h = Math.imul(h ^ (0xe0 | (code >> 12)), 0x01000193);
    } else {
      h = Math.imul(h ^ (0xc0 | (code >> 6)), 0x01000193);
      h = Math.imul(h ^ (0x80 | (code & 0x3f)), 0x01000193);
      continue;
    }
    h = Math.imul(h ^ (0x80 | ((code >> 6) & 0x3f)), 0x01000193);
    h = Math.imul(h ^ (0x80 | (code & 0x3f)), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Probes for `bitsPerKey`: ln 2 × bits per key, from 1 to 30. */
export function probesFor(bitsPerKey: number): number {
  return Math.max(1, Math.min(30, Math.round(bitsPerKey * 0.69)));
}

/** Builds the filter block content (bit array, then the probe count) from the key hashes. */
export function buildFilter(hashes: Uint32Array, count: number, bitsPerKey: number): Buffer {
  const probes = probesFor(bitsPerKey);
  // At least 64 bits, so a tiny segment does not answer "maybe" for everything.
  const bytes = Math.max(8, Math.ceil((count * bitsPerKey) / 8));
  const bits = bytes * 8;
  const filter = Buffer.alloc(bytes + 1);
  for (let i = 0; i < count; i++) {
    let h = hashes[i]!;
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    for (let p = 0; p < probes; p++) {
      const bit = h % bits;
      filter[bit >>> 3]! |= 1 << (bit & 7);
      h = (h + delta) >>> 0;
    }
  }
  filter[bytes] = probes;
  return filter;
}

/** A filter read from a verified block. */
export class BloomFilter {
  readonly #bits: Buffer;
  readonly #bitCount: number;
  readonly #probes: number;

  /** `content` is a verified filter block (bit array, then probe count). */
  constructor(content: Buffer) {
    this.#bits = content.subarray(0, content.length - 1);
    this.#bitCount = this.#bits.length * 8;
    this.#probes = content[content.length - 1]!;
  }

  /** False only when `key` is certainly absent. */
  mayContain(hash: number): boolean {
    if (this.#bitCount === 0) return true;
    let h = hash;
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    for (let p = 0; p < this.#probes; p++) {
      const bit = h % this.#bitCount;
      if ((this.#bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
      h = (h + delta) >>> 0;
    }
    return true;
  }

  /** Bytes the filter holds in memory. */
  get byteLength(): number {
    return this.#bits.length + 1;
  }
}
