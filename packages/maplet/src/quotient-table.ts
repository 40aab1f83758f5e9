/**
 * One counting/rank-select quotient filter (Pandey et al.'s RSQF/CQF layout): 2^q home
 * slots in blocks of 64, each block with an offset byte and two 64-bit metadata words
 * (occupieds: "some key has this home slot"; runends: "a run ends in this slot"), so
 * 2.125 metadata bits per slot, plus r remainder bits and v value bits per slot in packed
 * arrays. A key's fingerprint is its quotient (home slot) and remainder; the remainders of
 * one quotient form a run, sorted ascending, and runs lie in quotient order, shifted right
 * past earlier runs when needed.
 *
 * The offset of block b is how many slots from 64b on are taken by runs of quotients
 * below 64b; it turns "where does the run of x end" into one popcount over x's block and
 * one select over the runends from 64b + offset. An offset of 255 or more is stored as
 * 255, meaning "recompute from the block before" (rare: a cluster longer than 255 slots).
 */
import { clearBit, getBit, PackedArray, popcount, selectInWord, setBit } from './bits.js';

const SATURATED = 255;

export const FULL = 0;
export const INSERTED = 1;
export const MERGED = 2;
export type InsertResult = typeof FULL | typeof INSERTED | typeof MERGED;

/** The raw arrays of a table, as a snapshot stores them. */
export interface TableArrays {
  readonly occupieds: Uint32Array;
  readonly runends: Uint32Array;
  readonly offsets: Uint8Array;
  readonly remainders: Uint32Array;
  readonly values: Uint32Array;
}

/**
 * Slots past the last home slot that the last cluster may spill into (the CQF keeps about
 * 10·√slots; 4·√slots is 0.4% of a million-slot table and still far longer than the end
 * cluster gets below a load of 0.95 — when it is not, the insert reports FULL and the
 * maplet grows).
 */
export function overflowBlocks(slots: number): number {
  return Math.max(2, Math.ceil((4 * Math.sqrt(slots)) / 64));
}

export class QuotientTable {
  readonly quotientBits: number;
  readonly remainderBits: number;
  readonly valueBits: number;
  /** Home slots: 2^q. */
  readonly slots: number;
  /** Home slots plus the overflow blocks at the end. */
  readonly totalSlots: number;
  readonly occupieds: Uint32Array;
  readonly runends: Uint32Array;
  readonly offsets: Uint8Array;
  readonly remainders: PackedArray;
  readonly values: PackedArray;
  /** Slots holding an entry. */
  used = 0;

  constructor(quotientBits: number, remainderBits: number, valueBits: number, arrays?: TableArrays, used = 0) {
    this.quotientBits = quotientBits;
    this.remainderBits = remainderBits;
    this.valueBits = valueBits;
    this.slots = 2 ** quotientBits;
    const blocks = this.slots / 64 + overflowBlocks(this.slots);
    this.totalSlots = blocks * 64;
    this.occupieds = arrays?.occupieds ?? new Uint32Array(blocks * 2);
    this.runends = arrays?.runends ?? new Uint32Array(blocks * 2);
    this.offsets = arrays?.offsets ?? new Uint8Array(blocks);
    this.remainders = new PackedArray(this.totalSlots, remainderBits, arrays?.remainders);
    this.values = new PackedArray(this.totalSlots, valueBits, arrays?.values);
    this.used = used;
  }

  /** The arrays' total size in bytes (what the table costs in memory). */
  get bytes(): number {
    return (
      this.occupieds.byteLength +
      this.runends.byteLength +
      this.offsets.byteLength +
      this.remainders.words.byteLength +
      this.values.words.byteLength
    );
  }

  isOccupied(quotient: number): boolean {
    return getBit(this.occupieds, quotient) === 1;
  }

  /**
   * The last slot taken by runs of quotients up to `index`; below `index` when `index` is
   * empty (a value below 64·block when nothing spills into the block).
   */
  runendUpTo(index: number): number {
    const block = index >>> 6;
    const start = block * 64 + this.offsetOf(block);
    const word = block * 2;
    const bit = index & 63;
    let rank: number;
    if (bit < 32) {
      rank = popcount(this.occupieds[word]! & (bit === 31 ? 0xffffffff : (2 << bit) - 1));
    } else {
      rank =
        popcount(this.occupieds[word]!) +
        popcount(this.occupieds[word + 1]! & (bit === 63 ? 0xffffffff : (2 << (bit - 32)) - 1));
    }
    if (rank === 0) return start - 1;
    return this.selectRunend(start, rank);
  }

  /** Position of the `rank`-th (1-based) runend bit at or after `from`. */
  selectRunend(from: number, rank: number): number {
    const words = this.runends;
    let w = from >>> 5;
    let word = words[w]! & (0xffffffff << (from & 31));
    while (true) {
      const count = popcount(word);
      if (rank <= count) return w * 32 + selectInWord(word, rank - 1);
      rank -= count;
      if (++w >= words.length) throw new Error('maplet table invariant broken: a run has no end');
      word = words[w]!;
    }
  }

  offsetOf(block: number): number {
    const stored = this.offsets[block]!;
    return stored < SATURATED ? stored : this.#computeOffset(block);
  }

  #computeOffset(block: number): number {
    if (block === 0) return 0;
    const end = this.runendUpTo(block * 64 - 1);
    return Math.max(0, end - block * 64 + 1);
  }

  #refreshOffsets(fromBlock: number, toBlock: number): void {
    const last = Math.min(toBlock, this.offsets.length - 1);
    for (let block = Math.max(1, fromBlock); block <= last; block++) {
      this.offsets[block] = Math.min(SATURATED, this.#computeOffset(block));
    }
  }

  /** The first slot at or after `from` that no run covers, or -1 when the table has none. */
  #firstEmpty(from: number): number {
    let index = from;
    while (index < this.totalSlots) {
      const end = this.runendUpTo(index);
      if (end < index) return index;
      index = end + 1;
    }
    return -1;
  }

  /**
   * Where the run of `quotient` ends, or -1 when no key has that home slot. The run is the
   * slots from there back to `quotient` or to the slot after the previous runend.
   */
  runEnd(quotient: number): number {
    return getBit(this.occupieds, quotient) === 1 ? this.runendUpTo(quotient) : -1;
  }

  /** True when `position` is the first slot of the run of `quotient`. */
  isRunStart(quotient: number, position: number): boolean {
    return position === quotient || getBit(this.runends, position - 1) === 1;
  }

  /**
   * Inserts (remainder, value) in the run of `quotient`, after any equal remainders (so
   * equal fingerprints keep their insertion order). With `merge`, an equal remainder
   * already present absorbs the value instead. Returns INSERTED, or MERGED when an entry
   * of the same fingerprint was there already, or FULL when the table has no free slot.
   */
  insert(quotient: number, remainder: number, value: number, merge?: (a: number, b: number) => number): InsertResult {
    const remainders = this.remainders;
    if (getBit(this.occupieds, quotient) === 0) {
      const position = Math.max(quotient, this.runendUpTo(quotient) + 1);
      const empty = this.#shiftRight(position);
      if (empty < 0) return FULL;
      setBit(this.runends, position);
      setBit(this.occupieds, quotient);
      remainders.set(position, remainder);
      this.values.set(position, value);
      this.used++;
      this.#refreshOffsets((quotient >>> 6) + 1, empty >>> 6);
      return INSERTED;
    }
    const end = this.runendUpTo(quotient);
    let position = end;
    let slot = end + 1;
    let result: InsertResult = INSERTED;
    while (true) {
      const found = remainders.get(position);
      if (found === remainder && merge !== undefined) {
        this.values.set(position, merge(this.values.get(position), value));
        return MERGED;
      }
      if (found <= remainder) {
        if (found === remainder) result = MERGED;
        slot = position + 1;
        break;
      }
      slot = position;
      if (this.isRunStart(quotient, position)) break;
      position--;
    }
    const empty = this.#shiftRight(slot);
    if (empty < 0) return FULL;
    if (slot === end + 1) {
      clearBit(this.runends, end);
      setBit(this.runends, slot);
    } else {
      clearBit(this.runends, slot);
    }
    remainders.set(slot, remainder);
    this.values.set(slot, value);
    this.used++;
    this.#refreshOffsets((quotient >>> 6) + 1, empty >>> 6);
    return result;
  }

  /** Moves the slots from `position` up to the next empty slot one to the right; returns that slot, or -1. */
  #shiftRight(position: number): number {
    const empty = this.#firstEmpty(position);
    if (empty < 0) return -1;
    const remainders = this.remainders;
    const values = this.values;
    const runends = this.runends;
    for (let slot = empty; slot > position; slot--) {
      remainders.set(slot, remainders.get(slot - 1));
      values.set(slot, values.get(slot - 1));
      if (getBit(runends, slot - 1) === 1) setBit(runends, slot);
      else clearBit(runends, slot);
    }
    return empty;
  }

  /**
   * Removes the entry at `position` in the run of `quotient`, then moves every following
   * run that was shifted one slot back towards its home.
   */
  removeAt(quotient: number, position: number): void {
    const remainders = this.remainders;
    const values = this.values;
    const runends = this.runends;
    const end = this.runendUpTo(quotient);
    const single = position === end && this.isRunStart(quotient, position);
    for (let slot = position; slot < end; slot++) {
      remainders.set(slot, remainders.get(slot + 1));
      values.set(slot, values.get(slot + 1));
    }
    clearBit(runends, end);
    if (single) clearBit(this.occupieds, quotient);
    else setBit(runends, end - 1);
    let hole = end;
    let next = this.nextOccupied(quotient + 1);
    while (next >= 0 && next <= hole) {
      // The run of `next` starts right after the hole (it was pushed past its home): pull it back.
      const start = hole + 1;
      const runEnd = this.selectRunend(start, 1);
      for (let slot = start; slot <= runEnd; slot++) {
        remainders.set(slot - 1, remainders.get(slot));
        values.set(slot - 1, values.get(slot));
      }
      clearBit(runends, runEnd);
      setBit(runends, runEnd - 1);
      hole = runEnd;
      next = this.nextOccupied(next + 1);
    }
    remainders.set(hole, 0);
    values.set(hole, 0);
    this.used--;
    this.#refreshOffsets((quotient >>> 6) + 1, hole >>> 6);
  }

  /** The smallest occupied quotient at or after `from`, or -1. */
  nextOccupied(from: number): number {
    const words = this.occupieds;
    let w = from >>> 5;
    if (w >= words.length) return -1;
    let word = words[w]! & (0xffffffff << (from & 31));
    while (word === 0) {
      if (++w >= words.length) return -1;
      word = words[w]!;
    }
    return w * 32 + (31 - Math.clz32(word & -word));
  }

  /** Calls `visit(quotient, position)` for every entry, in quotient and then remainder order. */
  forEachSlot(visit: (quotient: number, position: number) => void): void {
    let previousEnd = -1;
    for (let quotient = this.nextOccupied(0); quotient >= 0; quotient = this.nextOccupied(quotient + 1)) {
      const start = Math.max(quotient, previousEnd + 1);
      const end = this.selectRunend(start, 1);
      for (let position = start; position <= end; position++) visit(quotient, position);
      previousEnd = end;
    }
  }

  /** Longest run (entries of one home slot) and longest cluster (slots without a gap). */
  runLengths(): { longestRun: number; longestCluster: number } {
    let longestRun = 0;
    let longestCluster = 0;
    let clusterStart = -1;
    let previousEnd = -2;
    for (let quotient = this.nextOccupied(0); quotient >= 0; quotient = this.nextOccupied(quotient + 1)) {
      const start = Math.max(quotient, previousEnd + 1);
      const end = this.selectRunend(start, 1);
      if (start !== previousEnd + 1) clusterStart = start;
      longestRun = Math.max(longestRun, end - start + 1);
      longestCluster = Math.max(longestCluster, end - clusterStart + 1);
      previousEnd = end;
    }
    return { longestRun, longestCluster };
  }

  /** Checks every structural invariant; throws on the first broken one (tests and `verify`). */
  check(): void {
    let previousEnd = -1;
    let count = 0;
    for (let quotient = this.nextOccupied(0); quotient >= 0; quotient = this.nextOccupied(quotient + 1)) {
      const start = Math.max(quotient, previousEnd + 1);
      const end = this.selectRunend(start, 1);
      if (end !== this.runendUpTo(quotient))
        throw new Error(`run of ${quotient}: select ${end} vs rank ${this.runendUpTo(quotient)}`);
      for (let position = start + 1; position <= end; position++) {
        if (this.remainders.get(position - 1) > this.remainders.get(position))
          throw new Error(`run of ${quotient} unsorted`);
      }
      count += end - start + 1;
      previousEnd = end;
    }
    if (count !== this.used) throw new Error(`counted ${count} entries, table says ${this.used}`);
    for (let block = 1; block < this.offsets.length; block++) {
      const stored = this.offsets[block]!;
      const actual = this.#computeOffset(block);
      if (stored !== Math.min(SATURATED, actual)) throw new Error(`offset of block ${block}: ${stored} vs ${actual}`);
    }
  }
}
