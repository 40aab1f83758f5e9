/**
 * A range as two bounds in code-point order, so a level or a segment's blocks can be
 * skipped by their smallest and largest keys, and a cursor stops at the far bound by
 * itself. A prefix becomes the bounds [prefix, successor of prefix). Within one sorted
 * array (a memtable's keys, a block's keys) the range is found by core's `rangeBounds`.
 */
import { compareKeys, type RangeOptions } from '@stowage/core';

export interface KeyBounds {
  /** The range these bounds came from, for core's `rangeBounds` over a sorted array of keys. */
  readonly range: RangeOptions;
  readonly lower: string | undefined;
  readonly lowerInclusive: boolean;
  readonly upper: string | undefined;
  readonly upperInclusive: boolean;
}

export const ALL_KEYS: KeyBounds = {
  range: {},
  lower: undefined,
  lowerInclusive: true,
  upper: undefined,
  upperInclusive: true,
};

export function boundsOf(range: RangeOptions): KeyBounds {
  let lower = range.gte ?? range.gt;
  let lowerInclusive = range.gt === undefined;
  let upper = range.lte ?? range.lt;
  let upperInclusive = range.lt === undefined;
  if (range.prefix !== undefined) {
    if (lower === undefined || compareKeys(range.prefix, lower) > 0) {
      lower = range.prefix;
      lowerInclusive = true;
    }
    const end = prefixEnd(range.prefix);
    if (end !== undefined && (upper === undefined || compareKeys(end, upper) <= 0)) {
      upper = end;
      upperInclusive = false;
    }
  }
  return { range, lower, lowerInclusive, upper, upperInclusive };
}

/** True when `key` lies below the lower bound. */
export function belowLower(key: string, bounds: KeyBounds): boolean {
  if (bounds.lower === undefined) return false;
  const order = compareKeys(key, bounds.lower);
  return bounds.lowerInclusive ? order < 0 : order <= 0;
}

/** True when `key` lies above the upper bound. */
export function aboveUpper(key: string, bounds: KeyBounds): boolean {
  if (bounds.upper === undefined) return false;
  const order = compareKeys(key, bounds.upper);
  return bounds.upperInclusive ? order > 0 : order >= 0;
}

/**
 * The smallest string above every string that starts with `prefix` (undefined when there
 * is none: the prefix is all U+10FFFF): its last code point below U+10FFFF, incremented,
 * with what follows dropped.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (char) => char.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return String.fromCodePoint(...points, next);
    }
  }
  return undefined;
}
