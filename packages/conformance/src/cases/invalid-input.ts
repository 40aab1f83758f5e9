/** Bad input is rejected with the right code, and the store is left exactly as it was. */
import type { EncodedValue } from '@stowage/core';
import { expect } from 'vitest';
import { expectCode, expectSameContents } from '../assertions.js';
import type { KitCase, Subject, Value } from '../types.js';

const before = new Map<string, Value>([
  ['kept', 'value'],
  ['bytes', new Uint8Array([1])],
]);

async function seeded(store: Subject): Promise<Subject> {
  for (const [key, value] of before) await store.set(key, value);
  return store;
}

export const invalidInputCases: KitCase[] = [
  {
    name: 'keys that are not strings are rejected with INVALID_KEY and nothing is written',
    modes: ['raw'],
    async run(context) {
      const store = await seeded(await context.open());
      const backend = store.backend;
      for (const key of [1, null, undefined, {}, Symbol('k'), ['a']] as unknown as string[]) {
        await expectCode(() => backend.set(key, 'v'), 'INVALID_KEY', `set with key ${String(key)}`);
        await expectCode(() => backend.get(key), 'INVALID_KEY', `get with key ${String(key)}`);
        await expectCode(() => backend.delete(key), 'INVALID_KEY', `delete with key ${String(key)}`);
      }
      expectSameContents(await store.entries(), before, 'store after invalid keys');
    },
  },
  {
    name: 'values that are not a string or a Uint8Array, or strings with a lone surrogate (UTF-8 cannot hold one), are rejected with INVALID_VALUE and nothing is written',
    modes: ['raw'],
    async run(context) {
      const store = await seeded(await context.open());
      const invalid = [1, null, undefined, {}, [1, 2], true, new ArrayBuffer(2), 'a\ud800', '\udc00b'];
      for (const value of invalid as unknown as EncodedValue[]) {
        await expectCode(() => store.backend.set('kept', value), 'INVALID_VALUE', `set of ${String(value)}`);
        await expectCode(
          () => store.backend.set('new', value),
          'INVALID_VALUE',
          `set of ${String(value)} to a new key`,
        );
      }
      expectSameContents(await store.entries(), before, 'store after invalid values');
    },
  },
  {
    name: 'a batch with one invalid operation is rejected and writes none of its operations',
    async run(context) {
      const store = await seeded(await context.open());
      if (store.mode === 'raw' && !store.backend.apply) {
        // No batches at this level: the map validates a whole batch itself (checked in the map modes).
      } else if (store.mode === 'raw') {
        const badKey = [
          { type: 'set', key: 'a', value: '1' },
          { type: 'delete', key: 'kept' },
          { type: 'set', key: '\ud800', value: '2' },
          { type: 'set', key: 'c', value: '3' },
        ] as const;
        await expectCode(() => store.apply(badKey), 'INVALID_KEY', 'apply with a lone surrogate key');
        const badValue = [
          { type: 'set', key: 'a', value: '1' },
          { type: 'set', key: 'b', value: 7 },
        ] as never;
        await expectCode(() => store.apply(badValue), 'INVALID_VALUE', 'apply with a number value');
      } else {
        const map = store.map!;
        await expectCode(
          () =>
            map.setMany([
              ['a', '1'],
              ['\ud800', '2'],
            ]),
          'INVALID_KEY',
          'setMany with a lone surrogate key',
        );
        await expectCode(
          () => map.deleteMany(['kept', '\ud800']),
          'INVALID_KEY',
          'deleteMany with a lone surrogate key',
        );
        await expectCode(
          () =>
            map.setMany([
              ['a', '1'],
              ['b', (() => 1) as never],
              ['c', '3'],
            ]),
          'ENCODE_FAILED',
          'setMany with a value the codec refuses',
        );
      }
      expectSameContents(await store.entries(), before, 'store after rejected batches');
    },
  },
  {
    name: 'values the codec cannot encode (BigInt, a cycle, a function, a symbol) are rejected with ENCODE_FAILED and nothing is written',
    modes: ['map-full', 'map-lru'],
    async run(context) {
      const backend = await context.createBackend();
      const map = await context.openMap<unknown>(backend, { codec: undefined }); // the default JSON codec
      await map.set('kept', { ok: true });
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      const unencodable: [string, unknown][] = [
        ['BigInt', 10n],
        ['nested BigInt', { count: 1n }],
        ['a cycle', cycle],
        ['a function', () => 1],
        ['a symbol', Symbol('s')],
      ];
      for (const [what, value] of unencodable) {
        await expectCode(() => map.set('kept', value), 'ENCODE_FAILED', `set of ${what} over a key`);
        await expectCode(() => map.set('fresh', value), 'ENCODE_FAILED', `set of ${what} to a new key`);
        await expectCode(() => map.update('kept', () => value), 'ENCODE_FAILED', `update to ${what}`);
      }
      expect(await map.get('kept')).toEqual({ ok: true });
      expect(await map.has('fresh')).toBe(false);
      expect(await map.size()).toBe(1);
      const raw: string[] = [];
      for await (const [key] of backend.entries()) raw.push(key);
      expect(raw, 'keys in the backend').toEqual(['kept']);
    },
  },
];
