import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, inRange } from './keys.js';
import { keysWithin, rangeBounds } from './sorted-range.js';
import type { RangeOptions } from './storage-backend.js';

// Few, overlapping units (including the empty string, U+0000, U+FFFF and a character above
// U+FFFF) so that bounds, prefixes and keys often coincide or straddle each other.
const keyUnit = fc.constantFrom('a', 'b', 'ab', '\u0000', '\uffff', '😀', 'é', '');
const key = fc.array(keyUnit, { maxLength: 4 }).map((parts) => parts.join(''));

// Core cannot use the kit's rangeArbitrary (the kit depends on core), so its own: a lower
// and an upper bound of either kind, a prefix, a direction, each drawn or left out.
const bound = (names: readonly [string, string]) =>
  fc.option(fc.tuple(fc.constantFrom(...names), key), { nil: undefined });
const range: fc.Arbitrary<RangeOptions> = fc
  .tuple(bound(['gt', 'gte']), bound(['lt', 'lte']), fc.option(key, { nil: undefined }), fc.boolean())
  .map(([lower, upper, prefix, reverse]) =>
    Object.fromEntries(
      [lower, upper, ['prefix', prefix] as const, ['reverse', reverse] as const].filter(
        (entry) => entry !== undefined && entry[1] !== undefined,
      ) as [string, unknown][],
    ),
  );

const sortedKeys = fc.uniqueArray(key).map((keys) => keys.sort(compareKeys));

describe('rangeBounds', () => {
  it('is the slice holding exactly the keys inRange, for any bounds and prefix', () => {
    fc.assert(
      fc.property(sortedKeys, range, (keys, options) => {
        const [start, end] = rangeBounds(keys, options);
        expect(start).toBeLessThanOrEqual(end);
        expect(keys.slice(start, end)).toEqual(keys.filter((k) => inRange(k, options)));
      }),
      { numRuns: 500 },
    );
  });

  it('is empty for a range whose bounds cross, and the whole array for no bounds', () => {
    const keys = ['a', 'b', 'c'];
    const [start, end] = rangeBounds(keys, { gt: 'b', lt: 'b' });
    expect(end - start).toBe(0);
    expect(rangeBounds(keys, {})).toEqual([0, 3]);
    expect(rangeBounds([], { prefix: 'a' })).toEqual([0, 0]);
  });
});

describe('keysWithin', () => {
  it('yields exactly the keys inRange, in code-point order or reversed', () => {
    fc.assert(
      fc.property(sortedKeys, range, (keys, options) => {
        const expected = keys.filter((k) => inRange(k, options));
        if (options.reverse) expected.reverse();
        expect([...keysWithin(keys, options)]).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves limit to the caller', () => {
    expect([...keysWithin(['a', 'b', 'c'], { limit: 1 })]).toEqual(['a', 'b', 'c']);
  });

  it('orders characters above U+FFFF after U+FFFF, as UTF-8 bytes do', () => {
    expect([...keysWithin(['\uffff', '😀'], { gt: '\uffff' })]).toEqual(['😀']);
    expect([...keysWithin(['\uffff', '😀'], { lt: '😀' })]).toEqual(['\uffff']);
  });
});
