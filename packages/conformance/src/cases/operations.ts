/** The result of every operation, and missing keys. */
import { expect } from 'vitest';
import { expectSameContents, expectValue, expectValues } from '../assertions.js';
import { collect } from '../subject.js';
import type { KitCase, Value } from '../types.js';

export const operationCases: KitCase[] = [
  {
    name: 'a missing key: get is undefined, has is false, delete resolves false',
    async run(context) {
      const store = await context.open();
      expect(await store.get('missing')).toBeUndefined();
      expect(await store.has('missing')).toBe(false);
      expect(await store.delete('missing')).toBe(false);
      expectValues(await store.getMany(['missing', 'absent']), [undefined, undefined], 'getMany of missing keys');
      expect(await store.size()).toBe(0);
      expect(await store.entries()).toEqual([]);
    },
  },
  {
    name: 'set then get returns the value; a second set overwrites it',
    async run(context) {
      const store = await context.open();
      expect(await store.set('k', 'one')).toBeUndefined();
      expectValue(await store.get('k'), 'one', 'after set');
      await store.set('k', 'two');
      expectValue(await store.get('k'), 'two', 'after overwrite');
      await store.set('k', new Uint8Array([1, 2, 3]));
      expectValue(await store.get('k'), new Uint8Array([1, 2, 3]), 'after overwrite with bytes');
      expect(await store.size()).toBe(1);
      expectSameContents([...(await store.stored())], new Map([['k', new Uint8Array([1, 2, 3])]]), 'in the backend');
    },
  },
  {
    name: 'delete resolves true for a present key and removes only that key',
    async run(context) {
      const store = await context.open();
      await store.set('a', '1');
      await store.set('b', '2');
      expect(await store.delete('a')).toBe(true);
      expect(await store.get('a')).toBeUndefined();
      expect(await store.has('a')).toBe(false);
      expect(await store.delete('a')).toBe(false);
      expectValue(await store.get('b'), '2', 'the other key');
      expect(await store.size()).toBe(1);
    },
  },
  {
    name: 'has reflects presence, also for an empty value',
    async run(context) {
      const store = await context.open();
      await store.set('text', '');
      await store.set('bytes', new Uint8Array(0));
      expect(await store.has('text')).toBe(true);
      expect(await store.has('bytes')).toBe(true);
      expect(await store.has('other')).toBe(false);
    },
  },
  {
    name: 'getMany answers in the order asked, with undefined for missing and repeated keys answered each time',
    async run(context) {
      const store = await context.open();
      await store.set('b', 'B');
      await store.set('a', new Uint8Array([7]));
      const values = await store.getMany(['b', 'missing', 'a', 'b']);
      expectValues(values, ['B', undefined, new Uint8Array([7]), 'B'], 'getMany');
      expect(await store.getMany([])).toEqual([]);
    },
  },
  {
    name: 'apply runs sets and deletes in order; the later operation on a key wins',
    async run(context) {
      const store = await context.open();
      await store.set('gone', 'x');
      await store.apply([
        { type: 'set', key: 'a', value: '1' },
        { type: 'set', key: 'b', value: '2' },
        { type: 'delete', key: 'gone' },
        { type: 'set', key: 'a', value: '3' },
        { type: 'delete', key: 'b' },
        { type: 'set', key: 'c', value: new Uint8Array([9]) },
      ]);
      expectSameContents(
        await store.entries(),
        new Map<string, Value>([
          ['a', '3'],
          ['c', new Uint8Array([9])],
        ]),
        'after apply',
      );
      await store.apply([]);
      expect(await store.size()).toBe(2);
    },
  },
  {
    name: 'size counts entries through sets, overwrites and deletes',
    async run(context) {
      const store = await context.open();
      expect(await store.size()).toBe(0);
      for (let i = 0; i < 10; i++) await store.set(`k${i}`, `v${i}`);
      await store.set('k3', 'again');
      expect(await store.size()).toBe(10);
      await store.delete('k4');
      await store.delete('k4');
      expect(await store.size()).toBe(9);
    },
  },
  {
    name: 'clear removes every entry and the store stays usable',
    async run(context) {
      const store = await context.open();
      for (let i = 0; i < 20; i++) await store.set(`k${i}`, `v${i}`);
      await store.clear();
      expect(await store.size()).toBe(0);
      expect(await store.entries()).toEqual([]);
      expect(await store.get('k1')).toBeUndefined();
      await store.set('k1', 'back');
      expectValue(await store.get('k1'), 'back', 'after clear and set');
    },
  },
  {
    name: 'clear with a range removes exactly the keys within it',
    modes: ['raw'],
    async run(context) {
      const store = await context.open();
      const keys = ['a', 'b', 'ba', 'bb', 'c', 'ca', 'd'];
      for (const key of keys) await store.set(key, key);
      const backend = store.backend;
      if (!backend.clear) return; // the map falls back to deleting key by key; nothing to prove
      await backend.clear({ prefix: 'b' });
      expect((await store.keys()).sort()).toEqual(['a', 'c', 'ca', 'd']);
      await backend.clear({ gte: 'c', lt: 'd' });
      expect((await store.keys()).sort()).toEqual(['a', 'd']);
      await backend.clear({ gt: 'a', lte: 'd' });
      expect(await store.keys()).toEqual(['a']);
    },
  },
  {
    name: 'a namespace clears only its own keys',
    modes: ['map-full', 'map-lru'],
    async run(context) {
      const store = await context.open();
      const map = store.map!;
      await store.apply(['users:1', 'users:2', 'usersx', 'orders:1'].map((key) => ({ type: 'set', key, value: key })));
      const users = map.namespace('users:');
      expect(await users.size()).toBe(2);
      await users.clear();
      expect((await store.keys()).sort()).toEqual(['orders:1', 'usersx']);
      expect(await collect(users.keys())).toEqual([]);
    },
  },
  {
    name: 'flush resolves and changes nothing visible',
    async run(context) {
      const store = await context.open();
      await store.set('a', '1');
      await store.flush();
      await store.flush();
      expectValue(await store.get('a'), '1', 'after flush');
      expect(await store.size()).toBe(1);
    },
  },
  {
    name: 'bytes handed to set are copied: mutating the buffer afterwards changes nothing stored',
    // Through the map a cached value is the caller's object, as in a Map; the raw store must copy.
    modes: ['raw'],
    async run(context) {
      const store = await context.open();
      const bytes = new Uint8Array([1, 2, 3]);
      await store.set('k', bytes);
      bytes[0] = 99;
      expectValue(await store.get('k'), new Uint8Array([1, 2, 3]), 'after mutating the written buffer');
      const read = (await store.get('k')) as Uint8Array;
      read[1] = 99;
      expectValue(await store.get('k'), new Uint8Array([1, 2, 3]), 'after mutating a read buffer');
    },
  },
];
