/**
 * Bit tricks on 32-bit words: population count, select (the position of the k-th set
 * bit) and packed fixed-width fields. The 64-slot blocks' bit words are held as pairs of
 * 32-bit words in Uint32Arrays: V8 has no 64-bit integer arithmetic outside BigInt, and a
 * BigUint64Array read allocates a BigInt (not measured; see the README).
 */

export function popcount(word: number): number {
  word -= (word >>> 1) & 0x55555555;
  word = (word & 0x33333333) + ((word >>> 2) & 0x33333333);
  return (Math.imul((word + (word >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** The index (0-31) of the k-th (0-based) set bit of `word`; `k` must be below popcount(word). */
export function selectInWord(word: number, k: number): number {
  for (let i = 0; i < k; i++) {
    word &= word - 1;
    // Only ends loops a mutant broke (no mutant of the count can spin): k is below popcount(word), so the
    // word never runs out first.
    // Stryker disable next-line ConditionalExpression: `false` is equivalent by the above (`true`, one step only, goes with it)
    if (word === 0) break;
  }
  return 31 - Math.clz32(word & -word);
}

/** Reads bit `index` of a bit vector. */
export function getBit(words: Uint32Array, index: number): number {
  return (words[index >>> 5]! >>> (index & 31)) & 1;
}

export function setBit(words: Uint32Array, index: number): void {
  words[index >>> 5]! |= 1 << (index & 31);
}

export function clearBit(words: Uint32Array, index: number): void {
  words[index >>> 5]! &= ~(1 << (index & 31));
}

/** Fields of `width` bits (0-32) packed back to back in 32-bit words. */
export class PackedArray {
  readonly width: number;
  readonly words: Uint32Array;
  readonly #mask: number;

  constructor(length: number, width: number, words?: Uint32Array) {
    this.width = width;
    this.words = words ?? new Uint32Array(Math.ceil((length * width) / 32) + 1);
    this.#mask = width === 32 ? 0xffffffff : (1 << width) - 1;
  }

  get(index: number): number {
    const width = this.width;
    // Stryker disable next-line ConditionalExpression: a fast path: with width 0 the mask is 0, so the general read gives 0 too
    if (width === 0) return 0;
    const bit = index * width;
    const word = bit >>> 5;
    const shift = bit & 31;
    const words = this.words;
    if (shift + width <= 32) return ((words[word]! >>> shift) & this.#mask) >>> 0;
    const low = words[word]! >>> shift;
    const high = words[word + 1]! << (32 - shift);
    return ((low | high) & this.#mask) >>> 0;
  }

  set(index: number, value: number): void {
    const width = this.width;
    // Stryker disable next-line ConditionalExpression: a fast path: with width 0 the mask is 0, so the general write changes no bit
    if (width === 0) return;
    const bit = index * width;
    const word = bit >>> 5;
    const shift = bit & 31;
    const words = this.words;
    const mask = this.#mask;
    words[word] = (words[word]! & ~(mask << shift)) | ((value & mask) << shift);
    if (shift + width > 32) {
      const spill = 32 - shift;
      words[word + 1] = (words[word + 1]! & ~(mask >>> spill)) | ((value & mask) >>> spill);
    }
  }
}
