/**
 * YCSB's key choosers (site.ycsb.generator), ported to keep their shapes: the zipfian of
 * Gray et al. ("Quickly generating billion-record synthetic databases", as YCSB codes it),
 * the scrambled zipfian (popular keys spread over the key space by a hash), the skewed
 * latest (recent inserts are hot) and the uniform. Each returns a key number; `keyName`
 * turns it into a record key.
 */
import { fnvHashModulo, type SeededRandom } from './random.js';

/** YCSB's default zipfian constant. */
export const ZIPFIAN_CONSTANT = 0.99;

export interface KeyChooser {
  /** The next key number, below the number of records inserted so far. */
  next(): number;
}

/** ζ(n, θ) = Σ_{i=1..n} 1/i^θ, continued from an earlier partial sum. */
function zeta(from: number, to: number, theta: number, initial: number): number {
  let sum = initial;
  for (let i = from; i < to; i++) sum += 1 / (i + 1) ** theta;
  return sum;
}

/**
 * Zipfian over [0, items): item 0 is the most popular. `zetan` may be given precomputed
 * (the scrambled zipfian's 10^10 items); the item count may grow (`nextBelow`), in which
 * case ζ is extended incrementally as YCSB does.
 */
export class Zipfian {
  readonly #random: SeededRandom;
  readonly #theta: number;
  readonly #alpha: number;
  readonly #zeta2theta: number;
  #items: number;
  #zetan: number;
  #eta: number;

  constructor(random: SeededRandom, items: number, theta = ZIPFIAN_CONSTANT, zetan?: number) {
    this.#random = random;
    this.#theta = theta;
    this.#alpha = 1 / (1 - theta);
    this.#zeta2theta = zeta(0, 2, theta, 0);
    this.#items = items;
    this.#zetan = zetan ?? zeta(0, items, theta, 0);
    this.#eta = this.#etaFor(items);
  }

  #etaFor(items: number): number {
    return (1 - (2 / items) ** (1 - this.#theta)) / (1 - this.#zeta2theta / this.#zetan);
  }

  /** A zipfian number in [0, items) for the current item count. */
  next(): number {
    return this.nextBelow(this.#items);
  }

  /** A zipfian number in [0, items), growing the item count first if it grew. */
  nextBelow(items: number): number {
    if (items > this.#items) {
      this.#zetan = zeta(this.#items, items, this.#theta, this.#zetan);
      this.#items = items;
      this.#eta = this.#etaFor(items);
    }
    const u = this.#random.nextDouble();
    const uz = u * this.#zetan;
    if (uz < 1) return 0;
    if (uz < 1 + 0.5 ** this.#theta) return 1;
    return Math.min(items - 1, Math.floor(items * (this.#eta * u - this.#eta + 1) ** this.#alpha));
  }
}

/**
 * YCSB's ScrambledZipfianGenerator: a zipfian over 10^10 items, hashed onto [0, items).
 * `items` is fixed, as in YCSB (records plus the inserts expected during the run), so the
 * hot keys stay put; a number past the records inserted so far is drawn again, as
 * CoreWorkload.nextKeynum does.
 */
export class ScrambledZipfian implements KeyChooser {
  static readonly ITEM_COUNT = 10_000_000_000;
  /** ζ(10^10, 0.99), precomputed by YCSB (computing it takes minutes). */
  static readonly ZETAN = 26.46902820178302;
  readonly #zipfian: Zipfian;
  readonly #items: number;
  readonly #inserted: () => number;

  constructor(random: SeededRandom, items: number, inserted: () => number = () => items) {
    this.#zipfian = new Zipfian(random, ScrambledZipfian.ITEM_COUNT, ZIPFIAN_CONSTANT, ScrambledZipfian.ZETAN);
    this.#items = items;
    this.#inserted = inserted;
  }

  next(): number {
    const inserted = this.#inserted();
    for (;;) {
      const number = fnvHashModulo(this.#zipfian.next(), this.#items);
      if (number < inserted) return number;
    }
  }
}

/** YCSB's SkewedLatestGenerator: the newest record is the most popular, then the one before... */
export class SkewedLatest implements KeyChooser {
  readonly #zipfian: Zipfian;
  readonly #items: () => number;

  constructor(random: SeededRandom, items: () => number) {
    this.#items = items;
    this.#zipfian = new Zipfian(random, items());
  }

  next(): number {
    const items = this.#items();
    return items - 1 - this.#zipfian.nextBelow(items);
  }
}

/** Uniform over the records inserted so far (YCSB keeps it to the loaded ones; here inserts join in). */
export class Uniform implements KeyChooser {
  readonly #random: SeededRandom;
  readonly #items: () => number;

  constructor(random: SeededRandom, items: () => number) {
    this.#random = random;
    this.#items = items;
  }

  next(): number {
    return this.#random.below(this.#items());
  }
}
