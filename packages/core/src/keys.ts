/**
 * Keys as every backend sees them: well-formed strings, ordered by Unicode code point
 * (the order of their UTF-8 bytes, which is what SQLite, LMDB and LevelDB sort by).
 * JavaScript's `<` compares UTF-16 code units, which disagrees for characters above
 * U+FFFF against U+E000..U+FFFF, so ordered engines compare with `compareKeys`.
 */
import type { RangeOptions } from './backend.js';
import { StowageError } from './errors.js';

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

/** Byte length of `text` in UTF-8, without allocating. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff)
      i++; // a pair: 2 code units, 4 bytes
    else bytes += 2;
  }
  return bytes;
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
  if (key.length * 3 > maxBytes && utf8Length(key) > maxBytes) {
    throw new StowageError('INVALID_KEY', `a key may be at most ${maxBytes} UTF-8 bytes, got ${utf8Length(key)}`, {
      ...keyErrorOptions(origin),
    });
  }
}

/** Throws INVALID_ARGUMENT for a range that cannot be meant (both gt and gte, a negative limit, ...). */
export function assertValidRange(range: RangeOptions, origin?: string): void {
  const fail = (why: string): never => {
    throw new StowageError('INVALID_ARGUMENT', `invalid range: ${why}`, origin === undefined ? {} : { origin });
  };
  if (typeof range !== 'object' || range === null) fail('options must be an object');
  if (range.gt !== undefined && range.gte !== undefined) fail('give gt or gte, not both');
  if (range.lt !== undefined && range.lte !== undefined) fail('give lt or lte, not both');
  for (const bound of ['gt', 'gte', 'lt', 'lte', 'prefix'] as const) {
    const value = range[bound];
    if (value !== undefined && typeof value !== 'string') fail(`${bound} must be a string`);
  }
  if (range.limit !== undefined && !(Number.isInteger(range.limit) && range.limit >= 0)) {
    fail('limit must be a non-negative integer');
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
  return origin === undefined ? {} : { origin };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value;
}
