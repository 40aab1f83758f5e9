/**
 * The randomness of YCSB, made reproducible: a seeded generator of doubles in [0, 1), and
 * YCSB's FNV-1a 64-bit hash of a key number (Utils.fnvhash64), done on two 32-bit halves
 * because a double cannot hold 64-bit products and BigInt costs a microsecond per call.
 */

/** xorshift128+ on 32-bit lanes (xoshiro128** variant): fast, seeded, never Math.random. */
export class SeededRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    // splitmix32 spreads a small seed over the four words of state.
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next() | 1;
  }

  /** The next 32 random bits. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /** A double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.nextDouble() * bound);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const TWO_32 = 4294967296;

/**
 * YCSB's `Utils.fnvhash64(long)`: FNV-1a over the 8 little-endian bytes of `value`, then
 * the absolute value of the signed 64-bit result. Returned as its high and low 32 bits.
 */
export function fnvHash64(value: number): { readonly high: number; readonly low: number } {
  let low = 0x84222325; // offset basis 0xCBF29CE484222325
  let high = 0xcbf29ce4;
  let restLow = (value % TWO_32) >>> 0;
  let restHigh = Math.floor(value / TWO_32) >>> 0;
  for (let byte = 0; byte < 8; byte++) {
    const octet = restLow & 0xff;
    restLow = ((restLow >>> 8) | ((restHigh & 0xff) << 24)) >>> 0;
    restHigh >>>= 8;
    low = (low ^ octet) >>> 0;
    // times the FNV prime 0x100000001B3 = 2^40 + 0x1B3, modulo 2^64
    const lowProduct = low * 0x1b3;
    const carry = Math.floor(lowProduct / TWO_32);
    const newHigh = (Math.imul(high, 0x1b3) + carry + (low << 8)) >>> 0;
    low = lowProduct >>> 0;
    high = newHigh;
  }
  if (high & 0x80000000) {
    // Java's Math.abs of a negative long: two's complement negation.
    low = (~low + 1) >>> 0;
    high = (~high + (low === 0 ? 1 : 0)) >>> 0;
  }
  return { high, low };
}

/** `fnvHash64(value)` modulo `modulus`, exactly (products stay below 2^53 for a modulus below 2^26). */
export function fnvHashModulo(value: number, modulus: number): number {
  if (!(modulus > 0 && modulus < 2 ** 26)) throw new RangeError(`modulus must be in (0, 2^26), got ${modulus}`);
  const { high, low } = fnvHash64(value);
  return ((high % modulus) * (TWO_32 % modulus) + low) % modulus;
}

/** YCSB's record key for key number `n`: "user" and its hash (hashed inserts, YCSB's default). */
export function keyName(n: number): string {
  const { high, low } = fnvHash64(n);
  return `user${high.toString(16).padStart(8, '0')}${low.toString(16).padStart(8, '0')}`;
}
