/**
 * Finding a range in an array of keys kept in code-point order (compareKeys), by binary
 * search: an engine that keeps its keys sorted in memory (memory, csv) scans only the
 * slice of the array the range covers, never the whole array.
 */
import { compareKeys } from './keys.js';
import type { RangeOptions } from './storage-backend.js';

/**
 * The slice `[start, end)` of `sortedKeys` holding exactly the keys within the bounds and
 * prefix of `range` (`inRange`); `reverse` and `limit` are the caller's, since an engine
 * whose array may hold deleted keys must count only live ones. `start === end` when none.
 */
export function rangeBounds(sortedKeys: readonly string[], range: RangeOptions): [start: number, end: number] {
  const start = firstIndex(sortedKeys, (key) => !beforeStart(key, range), 0);
  const end = firstIndex(sortedKeys, (key) => pastEnd(key, range), start);
  return [start, end];
}

/**
 * The keys of `sortedKeys` within `range`, ascending or descending for `reverse`, read
 * from the array as it is iterated (no copy). `limit` is left to the caller (see rangeBounds).
 */
export function* keysWithin(sortedKeys: readonly string[], range: RangeOptions): Generator<string> {
  const [start, end] = rangeBounds(sortedKeys, range);
  if (range.reverse) {
    for (let i = end - 1; i >= start; i--) yield sortedKeys[i]!;
  } else {
    for (let i = start; i < end; i++) yield sortedKeys[i]!;
  }
}

/** True while `key` is below the range's start. Monotone (true...true, false...false) over sorted keys. */
function beforeStart(key: string, range: RangeOptions): boolean {
  if (range.gte !== undefined && compareKeys(key, range.gte) < 0) return true;
  if (range.gt !== undefined && compareKeys(key, range.gt) <= 0) return true;
  return range.prefix !== undefined && compareKeys(key, range.prefix) < 0;
}

/** True once `key` is past the range's end. Monotone (false...false, true...true) over sorted keys. */
function pastEnd(key: string, range: RangeOptions): boolean {
  if (range.lt !== undefined && compareKeys(key, range.lt) >= 0) return true;
  if (range.lte !== undefined && compareKeys(key, range.lte) > 0) return true;
  // Keys starting with a prefix are contiguous in code-point order, right from the prefix:
  // the first greater key without it ends them.
  return range.prefix !== undefined && compareKeys(key, range.prefix) > 0 && !key.startsWith(range.prefix);
}

/** The first index from `from` where `predicate` (false...false, true...true) holds, or the length. */
function firstIndex(keys: readonly string[], predicate: (key: string) => boolean, from: number): number {
  let low = from;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (predicate(keys[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}
