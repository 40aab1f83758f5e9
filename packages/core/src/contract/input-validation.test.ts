/**
 * Bad arguments to the contract: every one refused with a typed StowageError, on the raw
 * backend (AbstractBackend, so every engine) and through PersistentMap, with nothing written.
 */
import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../map/persistent-map.js';
import { BareBackend, codeOf, collect, MapBackend } from '../test-backends.fixture.js';
import { StowageError } from './errors.js';
import type { BatchOperation, RangeOptions } from './storage-backend.js';

const invalidRanges: [string, unknown, RegExp][] = [
  ['gt with gte', { gt: 'a', gte: 'a' }, /gt or gte, not both/],
  ['lt with lte', { lt: 'z', lte: 'z' }, /lt or lte, not both/],
  ['a number gt', { gt: 1 }, /gt must be a string/],
  ['a null gte', { gte: null }, /gte must be a string/],
  ['an object lt', { lt: {} }, /lt must be a string/],
  ['a number lte', { lte: 9 }, /lte must be a string/],
  ['a number prefix', { prefix: 0 }, /prefix must be a string/],
  ["reverse 'yes'", { reverse: 'yes' }, /reverse must be true or false/],
  ['reverse 1', { reverse: 1 }, /reverse must be true or false/],
  ['a negative limit', { limit: -1 }, /limit must be a non-negative integer/],
  ['a fractional limit', { limit: 1.5 }, /limit must be a non-negative integer/],
  ['a NaN limit', { limit: Number.NaN }, /limit must be a non-negative integer/],
  ['an Infinity limit', { limit: Number.POSITIVE_INFINITY }, /limit must be a non-negative integer/],
  ['a string limit', { limit: '3' }, /limit must be a non-negative integer/],
  ['a misspelled name', { revers: true }, /unknown option "revers"; did you mean "reverse"\?/],
  ['an unknown name', { start: 'a' }, /unknown option "start"/],
  ['null', null, /options must be an object/],
  ['a string', 'a..z', /options must be an object/],
  ['an array', ['a', 'z'], /options must be an object/],
];

async function refusal(run: () => Promise<unknown>): Promise<StowageError> {
  try {
    await run();
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error('accepted');
}

async function filledBackend(): Promise<MapBackend> {
  const backend = new MapBackend({ supports: { orderedIteration: true } });
  await backend.open();
  for (const key of ['a', 'b', 'c']) await backend.set(key, `"${key}"`);
  return backend;
}

describe('an invalid range is refused by a backend', () => {
  it.each(invalidRanges)(
    '%s: entries, keys and clear answer INVALID_ARGUMENT, nothing deleted',
    async (_, range, why) => {
      const backend = await filledBackend();
      const calls = [
        () => collect(backend.entries(range as RangeOptions)),
        () => collect(backend.keys(range as RangeOptions)),
        () => backend.clear(range as RangeOptions),
      ];
      for (const call of calls) {
        const error = await refusal(call);
        expect(error.code).toBe('INVALID_ARGUMENT');
        expect(error.message).toMatch(why);
        expect(error.origin).toBe('@stowage/core-test');
      }
      expect([...backend.data.keys()]).toEqual(['a', 'b', 'c']);
      expect(backend.calls.entries).toBe(0);
      expect(backend.calls.clear).toBe(0);
      await backend.close();
    },
  );
});

describe('an invalid range is refused by PersistentMap', () => {
  it.each(invalidRanges)(
    '%s: keys, values and entries answer INVALID_ARGUMENT in both cache modes',
    async (_, range, why) => {
      for (const cache of [{ mode: 'full' }, { mode: 'lru' }] as const) {
        const backend = await filledBackend();
        await backend.close();
        const map = await PersistentMap.open<string, string>(new MapBackend({ data: backend.data }), {
          cache,
          sweepInterval: 0,
        });
        for (const call of [
          () => collect(map.keys(range as RangeOptions)),
          () => collect(map.values(range as RangeOptions)),
          () => collect(map.entries(range as RangeOptions)),
          () => collect(map.namespace('a').keys(range as RangeOptions)),
        ]) {
          const error = await refusal(call);
          expect(error.code).toBe('INVALID_ARGUMENT');
          expect(error.message).toMatch(why);
        }
        await map.close();
      }
    },
  );

  it('a valid range with every option passes both', async () => {
    const backend = await filledBackend();
    const range = { gt: 'a', lte: 'c', prefix: '', reverse: true, limit: 1 };
    expect(await collect(backend.keys(range))).toEqual(['c']);
    await backend.close();
    const ordered = new MapBackend({ data: backend.data, supports: { orderedIteration: true } });
    const map = await PersistentMap.open<string, string>(ordered, { sweepInterval: 0 });
    expect(await collect(map.keys(range))).toEqual(['c']);
    await map.close();
  });
});

describe('write arguments refused by every engine (AbstractBackend)', () => {
  it.each([
    ['null', null],
    ['a string', 'soon'],
    ['a number', 5],
    ['an array', []],
  ])('set with %s as options answers INVALID_ARGUMENT and writes nothing', async (_, options) => {
    const backend = new MapBackend();
    await backend.open();
    const error = await refusal(() => backend.set('k', 'v', options as never));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/write options must be an object/);
    expect(backend.data.size).toBe(0);
    expect(backend.calls.set).toBe(0);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a string', '1700000000000'],
    ['null', null],
  ])('an expiresAt of %s is refused by set and apply with INVALID_ARGUMENT', async (_, expiresAt) => {
    const backend = new MapBackend();
    await backend.open();
    expect(await codeOf(backend.set('k', 'v', { expiresAt } as never))).toBe('INVALID_ARGUMENT');
    const batch = [
      { type: 'set', key: 'ok', value: 'v' },
      { type: 'set', key: 'k', value: 'v', expiresAt },
    ] as unknown as BatchOperation[];
    expect(await codeOf(backend.apply(batch))).toBe('INVALID_ARGUMENT');
    expect(backend.data.size).toBe(0);
  });

  it.each([
    ['a string', 'abc'],
    ['null', null],
    ['undefined', undefined],
    ['an object', { 0: { type: 'delete', key: 'k' }, length: 1 }],
  ])(
    'apply and getMany with %s instead of an array answer INVALID_ARGUMENT (not a TypeError or ENCODE_FAILED)',
    async (_, given) => {
      const backend = new MapBackend();
      await backend.open();
      const applyError = await refusal(() => backend.apply(given as never));
      expect(applyError.code).toBe('INVALID_ARGUMENT');
      expect(applyError.message).toMatch(/apply takes an array of operations/);
      expect((await refusal(() => backend.getMany(given as never))).code).toBe('INVALID_ARGUMENT');
    },
  );

  it.each([
    ['null', null],
    ['a string', 'set'],
    ['an unknown type', { type: 'put', key: 'k', value: 'v' }],
  ])('apply with %s as an operation answers INVALID_ARGUMENT, writing none of the batch', async (_, operation) => {
    const backend = new MapBackend();
    await backend.open();
    const batch = [{ type: 'set', key: 'first', value: 'v' }, operation] as unknown as BatchOperation[];
    expect(await codeOf(backend.apply(batch))).toBe('INVALID_ARGUMENT');
    expect(backend.data.size).toBe(0);
  });

  it('a thrown non-StowageError from a hook reaches the caller as a StowageError with the cause', async () => {
    const backend = new MapBackend();
    await backend.open();
    const bug = new TypeError('undefined is not a function');
    backend.failWith = (operation) => (operation === 'get' ? bug : undefined);
    const error = await refusal(() => backend.get('k'));
    expect(error.code).toBe('IO');
    expect(error.cause).toBe(bug);
    expect(error.message).toBe('[@stowage/core-test] get failed: undefined is not a function');
  });
});

describe('PersistentMap over a backend that skips AbstractBackend', () => {
  it('still refuses an invalid range itself', async () => {
    const map = await PersistentMap.open<string, string>(new BareBackend(new Map([['a', '"a"']])), {
      cache: { mode: 'lru' },
      sweepInterval: 0,
    });
    expect(await codeOf(collect(map.keys({ reverse: 'yes' } as never)))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(collect(map.keys({ gt: 'a', gte: 'a' })))).toBe('INVALID_ARGUMENT');
    await map.close();
  });
});
