import { compareKeys, inRange, type RangeOptions } from '@stowage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedKeys } from './sorted-keys.js';

const keyUnit = fc.constantFrom('a', 'b', 'ab', '\u0000', '\uffff', '😀', 'é', '');
const key = fc.array(keyUnit, { maxLength: 4 }).map((parts) => parts.join(''));

const range: fc.Arbitrary<RangeOptions> = fc
  .record(
    {
      lower: fc.option(fc.tuple(fc.constantFrom('gt', 'gte'), key)),
      upper: fc.option(fc.tuple(fc.constantFrom('lt', 'lte'), key)),
      prefix: fc.option(key),
      reverse: fc.boolean(),
    },
    { requiredKeys: ['reverse'] },
  )
  .map(({ lower, upper, prefix, reverse }) => ({
    ...(lower ? { [lower[0]]: lower[1] } : {}),
    ...(upper ? { [upper[0]]: upper[1] } : {}),
    ...(prefix === undefined || prefix === null ? {} : { prefix }),
    reverse,
  }));

describe('SortedKeys', () => {
  it('yields exactly the keys within a range, in code-point order or reversed', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key), range, (keys, options) => {
        const sorted = new SortedKeys(new Map(keys.map((k) => [k, 1])));
        const expected = keys.filter((k) => inRange(k, options)).sort(compareKeys);
        if (options.reverse) expected.reverse();
        expect([...sorted.within(options)]).toEqual(expected);
      }),
    );
  });

  it('sees keys added after an invalidation', () => {
    const map = new Map([['b', 1]]);
    const sorted = new SortedKeys(map);
    expect([...sorted.within({})]).toEqual(['b']);
    map.set('a', 2);
    sorted.invalidate();
    expect([...sorted.within({})]).toEqual(['a', 'b']);
  });

  it('orders characters above U+FFFF after U+FFFF, as UTF-8 bytes do', () => {
    const sorted = new SortedKeys(
      new Map([
        ['😀', 1],
        ['\uffff', 2],
      ]),
    );
    expect([...sorted.within({})]).toEqual(['\uffff', '😀']);
  });
});
