import { compareKeys, inRange, type RangeOptions } from '@stowage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyBounds, prefixSuccessor } from './key-range.js';
import { SqliteBackend } from './sqlite-backend.js';

describe('prefixSuccessor', () => {
  it.each([
    ['a', 'b'],
    ['ab', 'ac'],
    ['a\u0000', 'a\u0001'],
    ['\uD7FF', '\uE000'],
    ['\uFFFF', '\u{10000}'],
    ['x\u{1F600}', 'x\u{1F601}'],
    ['a\u{10FFFF}', 'b'],
    ['a\u{10FFFF}\u{10FFFF}', 'b'],
  ])('the successor of %j is %j', (prefix, successor) => {
    expect(prefixSuccessor(prefix)).toBe(successor);
  });

  it('has none for a prefix made only of U+10FFFF', () => {
    expect(prefixSuccessor('\u{10FFFF}\u{10FFFF}')).toBeUndefined();
  });
});

describe('keyBounds', () => {
  it('keeps the tighter bound, and the exclusive one on a tie', () => {
    expect(keyBounds({ gte: 'b', prefix: 'a' })).toEqual({
      lower: { key: 'b', inclusive: true },
      upper: { key: 'b', inclusive: false },
    });
    expect(keyBounds({ gt: 'a', prefix: 'a', lte: 'a\u0000' })).toEqual({
      lower: { key: 'a', inclusive: false },
      upper: { key: 'a\u0000', inclusive: true },
    });
    expect(keyBounds({})).toEqual({ lower: undefined, upper: undefined });
  });
});

// Characters chosen where orders disagree: NUL, the end of the BMP (U+E000..U+FFFF, which
// UTF-16 code units sort after astral characters), astral characters and U+10FFFF.
const alphabet = ['\u0000', 'a', 'b', '\u00e9', '\uD7FF', '\uE000', '\uFFFF', '\u{10000}', '\u{1F600}', '\u{10FFFF}'];
const key = fc.array(fc.constantFrom(...alphabet), { maxLength: 4 }).map((parts) => parts.join(''));
const range: fc.Arbitrary<RangeOptions> = fc
  .record(
    {
      lower: fc.option(fc.tuple(fc.constantFrom('gt', 'gte'), key)),
      upper: fc.option(fc.tuple(fc.constantFrom('lt', 'lte'), key)),
      prefix: fc.option(key),
      reverse: fc.boolean(),
      limit: fc.option(fc.nat(12)),
    },
    { requiredKeys: ['reverse'] },
  )
  .map(({ lower, upper, prefix, reverse, limit }) => ({
    ...(lower ? { [lower[0]]: lower[1] } : {}),
    ...(upper ? { [upper[0]]: upper[1] } : {}),
    ...(prefix !== undefined && prefix !== null ? { prefix } : {}),
    ...(limit !== undefined && limit !== null ? { limit } : {}),
    reverse,
  }));

describe('SQLite key order and ranges', () => {
  it('iterates every range, prefix, direction and limit exactly as the code-point model', async () => {
    const backend = new SqliteBackend({ file: ':memory:', iterationChunkSize: 3 });
    await backend.open();
    try {
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(key, { maxLength: 30 }), range, async (keys, options) => {
          await backend.clear();
          await backend.apply(keys.map((k) => ({ type: 'set', key: k, value: k }) as const));
          let expected = keys.filter((k) => inRange(k, options)).sort(compareKeys);
          if (options.reverse) expected.reverse();
          if (options.limit !== undefined) expected = expected.slice(0, options.limit);
          const actual: string[] = [];
          for await (const [k, value] of backend.entries(options)) {
            expect(value).toBe(k);
            actual.push(k);
          }
          expect(actual).toEqual(expected);
          const keysOnly: string[] = [];
          for await (const k of backend.keys(options)) keysOnly.push(k);
          expect(keysOnly).toEqual(expected);
        }),
        { numRuns: 300 },
      );
    } finally {
      await backend.close();
    }
  });

  it('clears exactly the keys of a range as the model does', async () => {
    const backend = new SqliteBackend({ file: ':memory:' });
    await backend.open();
    try {
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(key, { maxLength: 30 }), range, async (keys, options) => {
          await backend.clear();
          await backend.apply(keys.map((k) => ({ type: 'set', key: k, value: k }) as const));
          let doomed = keys.filter((k) => inRange(k, options)).sort(compareKeys);
          if (options.reverse) doomed.reverse();
          if (options.limit !== undefined) doomed = doomed.slice(0, options.limit);
          await backend.clear(options);
          const left: string[] = [];
          for await (const k of backend.keys()) left.push(k);
          expect(left).toEqual(keys.filter((k) => !doomed.includes(k)).sort(compareKeys));
        }),
        { numRuns: 200 },
      );
    } finally {
      await backend.close();
    }
  });

  it('sorts astral characters after U+E000..U+FFFF, as compareKeys does and UTF-16 does not', async () => {
    const backend = new SqliteBackend({ file: ':memory:' });
    await backend.open();
    const keys = ['\u{1F600}', '\uFFFF', '\uE000', 'z', '\u{10000}'];
    for (const k of keys) await backend.set(k, 'v');
    const order: string[] = [];
    for await (const k of backend.keys()) order.push(k);
    await backend.close();
    expect(order).toEqual(['z', '\uE000', '\uFFFF', '\u{10000}', '\u{1F600}']);
    expect(order).not.toEqual([...keys].sort());
  });
});
