/**
 * Keys as every backend sees them: well-formed strings, ordered by Unicode code point
 * (the order of their UTF-8 bytes, which is what SQLite, LMDB and LevelDB sort by).
 * JavaScript's `<` compares UTF-16 code units, which disagrees for characters above
 * U+FFFF against U+E000..U+FFFF, so ordered engines compare with `compareKeys`.
 */

import { StowageError } from './errors.js';
import { closest } from './known-options.js';
import type { RangeOptions } from './storage-backend.js';

/** Compares two keys by code point: negative, zero or positive. */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800..0xDFFF) stands for a code point above 0xFFFF, so it sorts
    // after every other code unit; otherwise code-unit order is code-point order.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Byte length of `text` in UTF-8, without allocating: 1 byte below U+0080, 2 below U+0800,
 * 4 for a surrogate pair (a code point above U+FFFF), 3 for anything else, including a
 * lone surrogate (which Buffer encodes as U+FFFD), so it always equals `Buffer.byteLength`.
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code <= 0xdbff && code >= 0xd800 && isLowSurrogate(text.charCodeAt(i + 1))) {
      // The high half of a pair adds nothing: the pair's two units count 1 byte each so far,
      // and its low half, next, adds the other 2 (four in all). Skipping it here instead
      // would be the same count with a mutant nothing can tell apart.
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Throws INVALID_KEY unless `key` is a well-formed string of at most `maxBytes` UTF-8 bytes. */
export function assertValidKey(key: unknown, maxBytes: number, origin?: string): asserts key is string {
  if (typeof key !== 'string') {
    throw new StowageError('INVALID_KEY', `a key must be a string, got ${describe(key)}`, keyErrorOptions(origin));
  }
  if (!key.isWellFormed()) {
    throw new StowageError('INVALID_KEY', 'a key must be well-formed UTF-16 (it has a lone surrogate)', {
      ...keyErrorOptions(origin),
      key,
    });
  }
  // Every UTF-16 code unit is at most 3 UTF-8 bytes, so short keys need no count.
  if (
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut; the count below decides alone
    key.length * 3 > maxBytes &&
    utf8Length(key) > maxBytes
  ) {
    throw new StowageError('INVALID_KEY', `a key may be at most ${maxBytes} UTF-8 bytes, got ${utf8Length(key)}`, {
      ...keyErrorOptions(origin),
    });
  }
}

/** The names a range may hold; any other is refused (a misspelled `revers` would be ignored). */
const RANGE_OPTIONS = ['gt', 'gte', 'lt', 'lte', 'prefix', 'reverse', 'limit'] as const;

/**
 * Throws INVALID_ARGUMENT for a range that cannot be meant: not an object, an unknown name,
 * both gt and gte (or lt and lte), a bound or prefix that is not a string, a `reverse`
 * that is not a boolean, a limit that is not a non-negative integer.
 */
export function assertValidRange(range: RangeOptions, origin?: string): void {
  const fail = (why: string): never => {
    // Stryker disable next-line ConditionalExpression: an undefined origin is core's either way (StowageError's default)
    throw new StowageError('INVALID_ARGUMENT', `invalid range: ${why}`, origin === undefined ? {} : { origin });
  };
  if (typeof range !== 'object' || range === null || Array.isArray(range)) fail('options must be an object');
  for (const name of Object.keys(range)) {
    if ((RANGE_OPTIONS as readonly string[]).includes(name)) continue;
    const suggestion = closest(name, RANGE_OPTIONS);
    fail(
      `unknown option ${JSON.stringify(name)}${suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`}`,
    );
  }
  if (range.gt !== undefined && range.gte !== undefined) fail('give gt or gte, not both');
  if (range.lt !== undefined && range.lte !== undefined) fail('give lt or lte, not both');
  for (const bound of ['gt', 'gte', 'lt', 'lte', 'prefix'] as const) {
    const value = range[bound];
    if (value !== undefined && typeof value !== 'string') fail(`${bound} must be a string, got ${describe(value)}`);
  }
  if (range.reverse !== undefined && typeof range.reverse !== 'boolean') {
    fail(`reverse must be true or false, got ${describe(range.reverse)}`);
  }
  if (range.limit !== undefined && !(Number.isInteger(range.limit) && range.limit >= 0)) {
    fail(`limit must be a non-negative integer, got ${String(range.limit)}`);
  }
}

/** True when `key` lies within the bounds and prefix of `range` (limit and reverse aside). */
export function inRange(key: string, range: RangeOptions): boolean {
  if (range.prefix !== undefined && !key.startsWith(range.prefix)) return false;
  if (range.gt !== undefined && compareKeys(key, range.gt) <= 0) return false;
  if (range.gte !== undefined && compareKeys(key, range.gte) < 0) return false;
  if (range.lt !== undefined && compareKeys(key, range.lt) >= 0) return false;
  if (range.lte !== undefined && compareKeys(key, range.lte) > 0) return false;
  return true;
}

function keyErrorOptions(origin: string | undefined) {
  // Stryker disable next-line ConditionalExpression: an undefined origin is core's either way (StowageError's default)
  return origin === undefined ? {} : { origin };
}

// Stryker disable all: describe() only words error messages
function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value;
}
// Stryker restore all
