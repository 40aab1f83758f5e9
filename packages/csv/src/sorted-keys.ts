/**
 * Ordered iteration over the keys of a Map without keeping them sorted on every write:
 * the sorted array is rebuilt lazily, only when an iteration needs it after keys came or
 * went, so a write costs O(1) and a range finds its start by binary search.
 */
import { compareKeys, inRange, type RangeOptions } from '@stowage/core';

export class SortedKeys {
  #sorted: string[] | undefined;

  constructor(private readonly source: Map<string, unknown>) {}

  /** Call when a key is added or removed. */
  invalidate(): void {
    this.#sorted = undefined;
  }

  /**
   * The keys within `range` in order (descending for `reverse`), as of now. Keys removed
   * later are still yielded, so a caller checks the map as it goes.
   */
  *within(range: RangeOptions): Generator<string> {
    this.#sorted ??= [...this.source.keys()].sort(compareKeys);
    const keys = this.#sorted;
    const lower = lowerBound(range);
    const start = lower === undefined ? 0 : firstIndex(keys, (key) => !inLower(key, range, lower));
    const end = firstIndex(keys, (key) => pastUpper(key, range), start);
    if (range.reverse) {
      for (let i = end - 1; i >= start; i--) if (inRange(keys[i]!, range)) yield keys[i]!;
    } else {
      for (let i = start; i < end; i++) if (inRange(keys[i]!, range)) yield keys[i]!;
    }
  }
}

/** The largest of the lower bounds (gt, gte, prefix), if any. */
function lowerBound(range: RangeOptions): string | undefined {
  let bound: string | undefined;
  for (const candidate of [range.gt, range.gte, range.prefix]) {
    if (candidate !== undefined && (bound === undefined || compareKeys(candidate, bound) > 0)) bound = candidate;
  }
  return bound;
}

/** True while `key` is still below the range's start. Monotone over sorted keys. */
function inLower(key: string, range: RangeOptions, lower: string): boolean {
  const order = compareKeys(key, lower);
  if (order < 0) return true;
  return order === 0 && range.gt === lower;
}

/** True once `key` is past the range's end. Monotone over sorted keys. */
function pastUpper(key: string, range: RangeOptions): boolean {
  if (range.lt !== undefined && compareKeys(key, range.lt) >= 0) return true;
  if (range.lte !== undefined && compareKeys(key, range.lte) > 0) return true;
  // Keys with the prefix are contiguous: the first greater key without it ends them.
  return range.prefix !== undefined && compareKeys(key, range.prefix) > 0 && !key.startsWith(range.prefix);
}

/** The first index from `from` where `predicate` (false...false, true...true) holds, or the length. */
function firstIndex(keys: readonly string[], predicate: (key: string) => boolean, from = 0): number {
  let low = from;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (predicate(keys[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}
