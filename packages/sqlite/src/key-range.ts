/**
 * A RangeOptions as SQL bounds on the key column. SQLite compares TEXT with the BINARY
 * collation, i.e. by UTF-8 bytes, which is code-point order: the order of compareKeys.
 * So gt/gte/lt/lte/prefix reduce to at most one lower and one upper bound, and a prefix
 * to `key >= prefix AND key < successor(prefix)`, which an index range scan serves.
 * (SQL string functions such as substr stop at an embedded NUL; comparisons do not.)
 */
import { compareKeys, type RangeOptions } from '@stowage/core';

export interface Bound {
  readonly key: string;
  readonly inclusive: boolean;
}

export interface KeyBounds {
  readonly lower: Bound | undefined;
  readonly upper: Bound | undefined;
}

/** The tightest lower and upper bound that together select exactly the keys of `range`. */
export function keyBounds(range: RangeOptions): KeyBounds {
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  const raise = (bound: Bound) => {
    const order = lower === undefined ? 1 : compareKeys(bound.key, lower.key);
    if (order > 0 || (order === 0 && !bound.inclusive)) lower = bound;
  };
  const cap = (bound: Bound) => {
    const order = upper === undefined ? -1 : compareKeys(bound.key, upper.key);
    if (order < 0 || (order === 0 && !bound.inclusive)) upper = bound;
  };
  if (range.gt !== undefined) raise({ key: range.gt, inclusive: false });
  if (range.gte !== undefined) raise({ key: range.gte, inclusive: true });
  if (range.lt !== undefined) cap({ key: range.lt, inclusive: false });
  if (range.lte !== undefined) cap({ key: range.lte, inclusive: true });
  if (range.prefix !== undefined && range.prefix !== '') {
    raise({ key: range.prefix, inclusive: true });
    const end = prefixSuccessor(range.prefix);
    if (end !== undefined) cap({ key: end, inclusive: false });
  }
  return { lower, upper };
}

/**
 * The least string greater than every string that starts with `prefix`, in code-point
 * order; undefined when there is none (the prefix is all U+10FFFF). The last code point
 * below U+10FFFF is incremented (skipping the surrogate block) after dropping the
 * U+10FFFF code points that follow it.
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last === 0x10ffff) continue;
    const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
    return codePoints.join('') + String.fromCodePoint(next);
  }
  return undefined;
}
