/**
 * Maplet: an approximate map from keys to small integer values in a few bits per key
 * (Bender, Conway, Farach-Colton, Johnson, Pandey: "Time To Replace Your Filter"). Keys
 * are never stored, only fingerprints in quotient-filter tables (see quotient-table.ts).
 *
 * Promises, for every key k:
 * - no false negative: a key inserted and not deleted is always found;
 * - an absent key is found (a false positive) with probability at most ε;
 * - a found key answers the merge of its value with the values of keys whose
 *   fingerprints collide with it, so it never understates (see merge-operators.ts).
 */
import { StowageError } from '@stowage/core';
import { bitsOf, hashed, hashKey } from './hash.js';
import {
  type MapletOptions,
  type MapletSettings,
  ORIGIN,
  quotientBitsFor,
  remainderFloor,
  resolveMapletOptions,
} from './maplet-config.js';
import { FULL, MERGED, QuotientTable } from './quotient-table.js';
import { doubleTable } from './table-resize.js';

/** One table of the chain and the fewest remainder bits it may shrink to by doubling. */
export interface Generation {
  table: QuotientTable;
  readonly floor: number;
}

/** What the maplet counted since it was created (kept in snapshots). */
export interface MapletCounters {
  /** Inserts whose fingerprint already had an entry (a repeat of the key or a collision), merged. */
  collisionsMerged: number;
  /** Tables doubled in place. */
  resizes: number;
  /** Tables added to the chain with longer fingerprints. */
  generationsAdded: number;
  /** Rebuilds from the exact source. */
  rebuilds: number;
}

/** A false-positive rate measured by probing fingerprints of absent keys. */
export interface MeasuredRate {
  readonly probes: number;
  readonly falsePositives: number;
  readonly rate: number;
  /** 95% Wilson score interval of the true rate. */
  readonly low: number;
  readonly high: number;
}

export interface MapletStats {
  /** Stored entries: fingerprints (sum) or inserted pairs (other operators). */
  readonly entries: number;
  /** Entries over home slots of the newest table. */
  readonly loadFactor: number;
  readonly bytes: number;
  /** Bits of all tables' arrays per stored entry. */
  readonly bitsPerKey: number;
  readonly generations: number;
  readonly remainderBits: number;
  readonly valueBits: number;
  /** Σ entries_i / 2^(fingerprint bits of table i): the expected rate from the current sizes. */
  readonly theoreticalFalsePositiveRate: number;
  readonly measuredFalsePositiveRate: MeasuredRate;
  readonly targetFalsePositiveRate: number;
  readonly collisionsMerged: number;
  readonly resizes: number;
  readonly generationsAdded: number;
  readonly rebuilds: number;
  /** Most entries of one home slot, over all tables. */
  readonly longestRun: number;
  /** Longest stretch of slots without a gap, over all tables. */
  readonly longestCluster: number;
}

export class Maplet {
  readonly settings: MapletSettings;
  #generations: Generation[];
  readonly counters: MapletCounters;
  readonly #counting: boolean;

  constructor(options: MapletOptions = {}, restored?: { generations: Generation[]; counters: MapletCounters }) {
    this.settings = resolveMapletOptions(options);
    this.#counting = this.settings.merge.counting === true;
    this.#generations = restored?.generations ?? [
      this.#newGeneration(0, quotientBitsFor(this.settings.capacity, this.settings.maxLoad)),
    ];
    this.counters = restored?.counters ?? { collisionsMerged: 0, resizes: 0, generationsAdded: 0, rebuilds: 0 };
  }

  /** The tables, oldest first (for snapshots and tests). */
  get generations(): readonly Generation[] {
    return this.#generations;
  }

  /** Stored entries over all tables. */
  get size(): number {
    let total = 0;
    for (const generation of this.#generations) total += generation.table.used;
    return total;
  }

  /** Bytes of every table's arrays. */
  get bytes(): number {
    let total = 0;
    for (const generation of this.#generations) total += generation.table.bytes;
    return total;
  }

  // ---- by key ----

  /** The merged value for `key`, or undefined when it is (certainly) absent. */
  get(key: string | Uint8Array): number | undefined {
    hashKey(key, this.settings.seed);
    return this.getHash(hashed.hi, hashed.lo);
  }

  /** True when `key` may be present (false: certainly absent). */
  has(key: string | Uint8Array): boolean {
    hashKey(key, this.settings.seed);
    return this.getHash(hashed.hi, hashed.lo) !== undefined;
  }

  /** Inserts the pair (key, value), merged with what is there. */
  insert(key: string | Uint8Array, value = this.#counting ? 1 : 0): void {
    this.checkValue(value);
    hashKey(key, this.settings.seed);
    this.insertHash(hashed.hi, hashed.lo, value);
  }

  /**
   * Removes one inserted pair (key, value). Returns false, changing nothing, when no entry
   * could hold it. Deleting a pair that was never inserted may remove a colliding key's
   * entry (probability at most ε), as with every filter that deletes.
   */
  delete(key: string | Uint8Array, value = this.#counting ? 1 : 0): boolean {
    this.checkValue(value);
    hashKey(key, this.settings.seed);
    return this.deleteHash(hashed.hi, hashed.lo, value);
  }

  /** Throws INVALID_ARGUMENT unless `value` fits the value bits (and is at least 1 for sum). */
  checkValue(value: unknown): asserts value is number {
    const { maxValue } = this.settings;
    if (!(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= maxValue)) {
      throw new StowageError(
        'INVALID_ARGUMENT',
        `a value must be an integer from 0 to ${maxValue}, got ${String(value)}`,
        {
          origin: ORIGIN,
        },
      );
    }
    if (this.#counting && value === 0) {
      throw new StowageError('INVALID_ARGUMENT', 'a sum maplet counts from 1: a count of 0 is absent', {
        origin: ORIGIN,
      });
    }
  }

  // ---- by hash (the change log replays these) ----

  getHash(hi: number, lo: number): number | undefined {
    const generations = this.#generations;
    const merge = this.settings.merge.merge;
    const maxValue = this.settings.maxValue;
    let result: number | undefined;
    for (let g = 0; g < generations.length; g++) {
      const table = generations[g]!.table;
      const q = table.quotientBits;
      const quotient = hi >>> (32 - q);
      const end = table.runEnd(quotient);
      if (end < 0) continue;
      const remainder = bitsOf(hi, lo, q, table.remainderBits);
      const remainders = table.remainders;
      // Remainders ascend within a run: walk back from its end while they are not smaller.
      let first = -1;
      let last = -1;
      for (let position = end; ; position--) {
        const found = remainders.get(position);
        if (found === remainder) {
          if (last < 0) last = position;
          first = position;
        } else if (found < remainder) break;
        if (table.isRunStart(quotient, position)) break;
      }
      for (let position = first; position >= 0 && position <= last; position++) {
        const value = table.values.get(position);
        result = result === undefined ? value : merge(result, value, maxValue);
      }
    }
    return result;
  }

  insertHash(hi: number, lo: number, value: number): void {
    let generation = this.#generations[this.#generations.length - 1]!;
    if (generation.table.used + 1 > this.settings.maxLoad * generation.table.slots) generation = this.#grow();
    const merge = this.#counting ? this.#mergeCounts : undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const table = generation.table;
      const q = table.quotientBits;
      const result = table.insert(hi >>> (32 - q), bitsOf(hi, lo, q, table.remainderBits), value, merge);
      if (result === MERGED) this.counters.collisionsMerged++;
      if (result !== FULL) return;
      // A cluster reached the end of the overflow blocks before the load limit: grow early.
      generation = this.#grow();
    }
    throw new StowageError('CAPACITY', 'the maplet found no free slot after growing', { origin: ORIGIN });
  }

  readonly #mergeCounts = (a: number, b: number): number => this.settings.merge.merge(a, b, this.settings.maxValue);

  deleteHash(hi: number, lo: number, value: number): boolean {
    const generations = this.#generations;
    if (!this.#counting) {
      // Newest (longest fingerprint) first: if another key's entry matches there, this
      // key's own entry in an older table matches that key too, so nobody loses a pair.
      for (let g = generations.length - 1; g >= 0; g--) {
        const table = generations[g]!.table;
        const position = this.#findHash(table, hi, lo, value);
        if (position >= 0) {
          table.removeAt(hi >>> (32 - table.quotientBits), position);
          return true;
        }
      }
      return false;
    }
    const max = this.settings.maxValue;
    let available = 0;
    for (const { table } of generations) {
      const position = this.#findHash(table, hi, lo, undefined);
      if (position < 0) continue;
      const count = table.values.get(position);
      available = count === max ? Number.POSITIVE_INFINITY : available + count;
    }
    if (available < value) return false;
    let remaining = value;
    for (let g = generations.length - 1; g >= 0 && remaining > 0; g--) {
      const table = generations[g]!.table;
      const position = this.#findHash(table, hi, lo, undefined);
      if (position < 0) continue;
      const count = table.values.get(position);
      // A saturated count's true value is unknown: it absorbs the delete and stays.
      if (count === max) return true;
      const taken = Math.min(count, remaining);
      remaining -= taken;
      if (count === taken) table.removeAt(hi >>> (32 - table.quotientBits), position);
      else table.values.set(position, count - taken);
    }
    return true;
  }

  /** The slot of an entry with this fingerprint (and `value`, when given) in `table`, or -1. */
  #findHash(table: QuotientTable, hi: number, lo: number, value: number | undefined): number {
    const q = table.quotientBits;
    const quotient = hi >>> (32 - q);
    const end = table.runEnd(quotient);
    if (end < 0) return -1;
    const remainder = bitsOf(hi, lo, q, table.remainderBits);
    for (let position = end; ; position--) {
      const found = remainders(table, position);
      if (found === remainder && (value === undefined || table.values.get(position) === value)) return position;
      if (found < remainder || table.isRunStart(quotient, position)) return -1;
    }
  }

  /** Removes every entry; the tables shrink back to the configured capacity. */
  clear(): void {
    this.#generations = [this.#newGeneration(0, quotientBitsFor(this.settings.capacity, this.settings.maxLoad))];
  }

  /**
   * Adds every entry of `other` (same seed, value bits and operator), so this maplet
   * answers what one maplet given both sets of inserts would. Each entry goes to the
   * newest table whose fingerprints are no longer than the entry's own.
   */
  union(other: Maplet): void {
    const mine = this.settings;
    const theirs = other.settings;
    if (mine.seed !== theirs.seed || mine.valueBits !== theirs.valueBits || mine.merge.name !== theirs.merge.name) {
      throw new StowageError(
        'INVALID_ARGUMENT',
        'only maplets with the same seed, value bits and merge operator can be united',
        {
          origin: ORIGIN,
        },
      );
    }
    for (const { table } of other.generations) {
      const bits = table.quotientBits + table.remainderBits;
      table.forEachSlot((quotient, position) => {
        // The entry's fingerprint, as the top `bits` bits of a 64-bit hash (the rest zero).
        const remainder = table.remainders.get(position);
        const r = table.remainderBits;
        const fingerprintHi = quotient * 2 ** (32 - table.quotientBits);
        let hi = fingerprintHi;
        let lo = 0;
        const spaceInHi = 32 - table.quotientBits;
        if (r <= spaceInHi) hi += remainder * 2 ** (spaceInHi - r);
        else {
          hi += Math.floor(remainder / 2 ** (r - spaceInHi));
          lo = ((remainder % 2 ** (r - spaceInHi)) * 2 ** (32 - (r - spaceInHi))) >>> 0;
        }
        this.#insertFingerprint(hi >>> 0, lo, bits, table.values.get(position));
      });
    }
  }

  #insertFingerprint(hi: number, lo: number, bits: number, value: number): void {
    const generations = this.#generations;
    const length = (g: number) => generations[g]!.table.quotientBits + generations[g]!.table.remainderBits;
    let g = generations.length - 1;
    while (g >= 0 && length(g) > bits) g--;
    if (g < 0) {
      throw new StowageError('CAPACITY', 'the other maplet has fingerprints shorter than any table here', {
        origin: ORIGIN,
      });
    }
    // No growth by a new, longer chain table here: the entry has only `bits` bits to give.
    const merge = this.#counting ? this.#mergeCounts : undefined;
    while (true) {
      const generation = generations[g]!;
      const table = generation.table;
      const q = table.quotientBits;
      if (table.used + 1 <= this.settings.maxLoad * table.slots) {
        const result = table.insert(hi >>> (32 - q), bitsOf(hi, lo, q, table.remainderBits), value, merge);
        if (result === MERGED) this.counters.collisionsMerged++;
        if (result !== FULL) return;
      }
      // An older table is full: double it while it can spare a remainder bit, else give it
      // a sibling of the same fingerprint length (tables stay ordered by fingerprint length).
      if (table.remainderBits - 1 >= generation.floor && q < 30) {
        generation.table = doubleTable(table);
        this.counters.resizes++;
      } else {
        const sibling = new QuotientTable(q, table.remainderBits, this.settings.valueBits);
        generations.splice(g + 1, 0, { table: sibling, floor: generation.floor });
        this.counters.generationsAdded++;
        g++;
      }
    }
  }

  // ---- growth ----

  #newGeneration(index: number, quotientBits: number): Generation {
    const floor = remainderFloor(this.settings, index);
    const remainderBits = Math.min(32, floor + this.settings.growthBits);
    if (quotientBits > 30 || quotientBits + remainderBits > 64) {
      throw new StowageError('CAPACITY', 'the maplet has used every bit of its 64-bit hash', { origin: ORIGIN });
    }
    return { table: new QuotientTable(quotientBits, remainderBits, this.settings.valueBits), floor };
  }

  /** Makes room in the newest table; returns the table new entries go to now. */
  #grow(): Generation {
    const generations = this.#generations;
    const newest = generations[generations.length - 1]!;
    const { growth } = this.settings;
    if (newest.table.remainderBits - 1 >= newest.floor && newest.table.quotientBits < 30) {
      newest.table = doubleTable(newest.table);
      this.counters.resizes++;
      return newest;
    }
    if (growth === 'fixed') {
      throw new StowageError(
        'CAPACITY',
        `the maplet is full: a fixed size of ${newest.table.slots} slots at load ${this.settings.maxLoad} (growth is 'fixed')`,
        { origin: ORIGIN },
      );
    }
    if (growth === 'chain') {
      const added = this.#newGeneration(generations.length, newest.table.quotientBits + 1);
      generations.push(added);
      this.counters.generationsAdded++;
      return added;
    }
    // Rebuild: a single table twice the size, filled from the exact source.
    const entries = Array.from(growth.rebuild());
    const rebuilt = this.#newGeneration(
      0,
      quotientBitsFor(Math.max(entries.length * 2, this.size * 2, 64), this.settings.maxLoad),
    );
    this.#generations = [rebuilt];
    for (const [key, value] of entries) this.insert(key, value);
    this.counters.rebuilds++;
    return this.#generations[this.#generations.length - 1]!;
  }

  // ---- statistics ----

  /**
   * Measures the false-positive rate with `probes` random 64-bit hashes (seeded): a random
   * hash is absent (it equals an inserted key's hash with probability about n·2^-64), so
   * the share found is the rate an absent key meets.
   */
  measureFalsePositiveRate(probes = 10_000, seed = 0x5eed): MeasuredRate {
    let state = seed >>> 0;
    const next = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    };
    let falsePositives = 0;
    for (let i = 0; i < probes; i++) if (this.getHash(next(), next()) !== undefined) falsePositives++;
    return {
      probes,
      falsePositives,
      rate: probes === 0 ? 0 : falsePositives / probes,
      ...wilson(falsePositives, probes),
    };
  }

  stats(probes = 10_000): MapletStats {
    let longestRun = 0;
    let longestCluster = 0;
    let theoretical = 0;
    for (const { table } of this.#generations) {
      const lengths = table.runLengths();
      longestRun = Math.max(longestRun, lengths.longestRun);
      longestCluster = Math.max(longestCluster, lengths.longestCluster);
      theoretical += table.used / 2 ** (table.quotientBits + table.remainderBits);
    }
    const newest = this.#generations[this.#generations.length - 1]!.table;
    const entries = this.size;
    return {
      entries,
      loadFactor: newest.used / newest.slots,
      bytes: this.bytes,
      bitsPerKey: entries === 0 ? 0 : (this.bytes * 8) / entries,
      generations: this.#generations.length,
      remainderBits: newest.remainderBits,
      valueBits: this.settings.valueBits,
      theoreticalFalsePositiveRate: Math.min(1, theoretical),
      measuredFalsePositiveRate: this.measureFalsePositiveRate(probes),
      targetFalsePositiveRate: this.settings.falsePositiveRate,
      ...this.counters,
      longestRun,
      longestCluster,
    };
  }

  /** Checks every table's invariants (throws on the first broken one). */
  check(): void {
    for (const { table } of this.#generations) table.check();
  }
}

function remainders(table: QuotientTable, position: number): number {
  return table.remainders.get(position);
}

/** 95% Wilson score interval for `hits` successes in `trials`. */
export function wilson(hits: number, trials: number): { low: number; high: number } {
  if (trials === 0) return { low: 0, high: 1 };
  const z = 1.959964;
  const p = hits / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
