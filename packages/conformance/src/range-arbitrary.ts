/**
 * A fast-check arbitrary of valid iteration ranges over `keys`, for engines' own property
 * tests: bounds drawn from the keys (and just beside them), a prefix, a limit, reverse.
 */
import type { RangeOptions } from '@stowage/core';
import fc from 'fast-check';

export function rangeArbitrary(keys: readonly string[] = ['', 'a', 'ab', 'b', 'é', '😀']): fc.Arbitrary<RangeOptions> {
  const bound = fc.constantFrom(...keys, ...keys.map((key) => `${key}\u0000`));
  return fc
    .record(
      {
        lower: fc.option(fc.tuple(fc.constantFrom('gt' as const, 'gte' as const), bound), { nil: undefined }),
        upper: fc.option(fc.tuple(fc.constantFrom('lt' as const, 'lte' as const), bound), { nil: undefined }),
        prefix: fc.option(fc.constantFrom(...keys.map((key) => key.slice(0, 1))), { nil: undefined }),
        limit: fc.option(fc.nat({ max: keys.length + 1 }), { nil: undefined }),
        reverse: fc.option(fc.boolean(), { nil: undefined }),
      },
      { requiredKeys: [] },
    )
    .map(({ lower, upper, prefix, limit, reverse }) => {
      const range: { -readonly [K in keyof RangeOptions]: RangeOptions[K] } = {};
      if (lower) range[lower[0]] = lower[1];
      if (upper) range[upper[0]] = upper[1];
      if (prefix !== undefined) range.prefix = prefix;
      if (limit !== undefined) range.limit = limit;
      if (reverse !== undefined) range.reverse = reverse;
      return range;
    });
}
