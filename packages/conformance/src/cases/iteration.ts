/** Iteration: complete everywhere; ordered, reversible and bounded where declared. */
import { compareKeys, inRange } from '@stowage/core';
import { expect } from 'vitest';
import { expectSameContents, expectValue } from '../assertions.js';
import type { CaseContext, IterationRange, KitCase, Subject, Value } from '../types.js';

/** Includes pairs where UTF-16 order and code-point order disagree (U+FFFF against U+10000). */
export const orderKeys: readonly string[] = [
  '',
  'a',
  'a\u0000',
  'ab',
  'ab\uffff',
  'ab\u{10000}',
  'abc',
  'b',
  'ba',
  'c',
  'z',
  '\u00e9',
  '\ue000',
  '\uffff',
  '\u{10000}',
  '😀',
];

const ranges: readonly IterationRange[] = [
  { gt: 'a' },
  { gte: 'a' },
  { lt: 'b' },
  { lte: 'b' },
  { gt: 'a', lt: 'c' },
  { gte: 'ab', lte: 'ba' },
  { gte: '\uffff' },
  { lt: '\u{10000}' },
  { gt: '\ue000', lte: '😀' },
  { gt: 'zz' },
  { gte: 'c', lt: 'b' },
  { prefix: 'a' },
  { prefix: 'ab' },
  { prefix: '' },
  { prefix: 'x' },
  { prefix: '\uffff' },
  { prefix: 'a', gt: 'ab' },
  { prefix: 'a', lt: 'abc' },
];

const ordered = (supports: { orderedIteration: boolean }) => supports.orderedIteration;

async function filled(context: CaseContext): Promise<Subject> {
  const store = await context.open();
  // Written out of order, in two batches, so order cannot come from insertion.
  const shuffled = [...orderKeys].reverse();
  await store.apply(shuffled.slice(0, 8).map((key) => ({ type: 'set', key, value: `v:${key}` })));
  for (const key of shuffled.slice(8)) await store.set(key, `v:${key}`);
  return store;
}

/** The keys `range` should select, in ascending (or, with reverse, descending) code-point order. */
function expected(range: IterationRange): string[] {
  const keys = orderKeys.filter((key) => inRange(key, range)).sort(compareKeys);
  if (range.reverse) keys.reverse();
  return range.limit === undefined ? keys : keys.slice(0, range.limit);
}

async function expectRange(store: Subject, range: IterationRange, isOrdered: boolean): Promise<void> {
  const what = `range ${JSON.stringify(range)}`;
  const entries = await store.entries(range);
  const keys = await store.keys(range);
  const want = expected(range);
  if (isOrdered) {
    expect(
      entries.map(([key]) => key),
      `${what}: entries`,
    ).toEqual(want);
    expect(keys, `${what}: keys`).toEqual(want);
  } else {
    expect(entries.map(([key]) => key).sort(compareKeys), `${what}: entries`).toEqual([...want].sort(compareKeys));
    expect([...keys].sort(compareKeys), `${what}: keys`).toEqual([...want].sort(compareKeys));
  }
  for (const [key, value] of entries) expectValue(value, `v:${key}`, `${what}: value of ${JSON.stringify(key)}`);
}

export const iterationCases: KitCase[] = [
  {
    name: 'iteration yields every entry exactly once, with its value',
    async run(context) {
      const store = await filled(context);
      const model = new Map<string, Value>(orderKeys.map((key) => [key, `v:${key}`]));
      expectSameContents(await store.entries(), model, 'entries()');
      expect((await store.keys()).sort(compareKeys)).toEqual([...orderKeys].sort(compareKeys));
    },
  },
  {
    name: 'entries and keys come in ascending code-point order',
    gate: ordered,
    async run(context) {
      const store = await filled(context);
      await expectRange(store, {}, true);
    },
  },
  {
    name: 'reverse yields descending code-point order, also with bounds and a limit',
    gate: ordered,
    async run(context) {
      const store = await filled(context);
      for (const range of [{}, { limit: 3 }, { prefix: 'a' }, { gt: 'a', lte: 'c' }, { gte: '\uffff' }]) {
        await expectRange(store, { ...range, reverse: true }, true);
      }
    },
  },
  {
    name: 'gt, gte, lt, lte and prefix select exactly the keys within them',
    async run(context) {
      const store = await filled(context);
      for (const range of ranges) await expectRange(store, range, context.supports.orderedIteration);
    },
  },
  {
    name: 'limit yields at most that many entries (the first ones, where ordered)',
    async run(context) {
      const store = await filled(context);
      for (const limit of [0, 1, 3, orderKeys.length, orderKeys.length + 5]) {
        const entries = await store.entries({ limit });
        expect(entries.length, `limit ${limit}`).toBe(Math.min(limit, orderKeys.length));
        const keys = await store.keys({ limit, prefix: 'a' });
        expect(keys.length, `limit ${limit} with a prefix`).toBe(Math.min(limit, expected({ prefix: 'a' }).length));
        if (context.supports.orderedIteration) await expectRange(store, { limit }, true);
      }
    },
  },
  {
    name: 'iteration stays sound while the store is written during it',
    async run(context) {
      const store = await context.open();
      const iterable = store.map ? store.map.entries() : store.backend.entries();
      const stable = new Map<string, Value>();
      for (let i = 0; i < 50; i++) {
        const key = `k${String(i).padStart(2, '0')}`;
        stable.set(key, `v${i}`);
        await store.set(key, `v${i}`);
      }
      for (let i = 0; i < 10; i++) await store.set(`m${i}`, 'old');
      const seen = new Map<string, Value>();
      let step = 0;
      for await (const [key, value] of iterable as AsyncIterable<[string, Value]>) {
        if (seen.has(key)) throw new Error(`key ${JSON.stringify(key)} was yielded twice`);
        seen.set(key, value);
        if (step++ === 5) {
          for (let i = 0; i < 10; i++) await store.set(`m${i}`, 'new');
          await store.set('n-added', 'x');
          await store.delete('k49');
        }
      }
      stable.delete('k49');
      for (const [key, value] of stable) expectValue(seen.get(key), value, `untouched key ${key}`);
      for (let i = 0; i < 10; i++) {
        const value = seen.get(`m${i}`);
        if (value !== 'old' && value !== 'new') throw new Error(`m${i} was yielded as ${String(value)}`);
      }
    },
  },
];
