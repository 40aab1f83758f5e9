/** Persistence: what was acknowledged before close is there after reopen, and nothing else. */
import { expect } from 'vitest';
import { expectSameContents } from '../assertions.js';
import { patternBytes } from '../random.js';
import type { BackendKitOptions, KitCase, Value } from '../types.js';

export const canReopen = (supports: { persistent: boolean }, kit: BackendKitOptions) =>
  supports.persistent && kit.reopen !== undefined;

export const persistenceCases: KitCase[] = [
  {
    name: 'writes, overwrites, deletes and batches survive close and reopen',
    gate: canReopen,
    async run(context) {
      let store = await context.open();
      const model = new Map<string, Value>();
      const set = async (key: string, value: Value) => {
        await store.set(key, value);
        model.set(key, value);
      };
      await set('plain', 'one');
      await set('overwritten', 'first');
      await set('overwritten', 'second');
      await set('deleted', 'soon gone');
      await store.delete('deleted');
      model.delete('deleted');
      await set('', 'empty key');
      await set('😀 unicode', 'שלום');
      await set('empty text', '');
      await set('empty bytes', new Uint8Array(0));
      await set('bytes', patternBytes(70_000));
      await store.apply([
        { type: 'set', key: 'batch:1', value: 'b1' },
        { type: 'set', key: 'batch:2', value: new Uint8Array([2]) },
        { type: 'delete', key: 'plain' },
        { type: 'set', key: 'batch:1', value: 'b1 again' },
      ]);
      model
        .set('batch:1', 'b1 again')
        .set('batch:2', new Uint8Array([2]))
        .delete('plain');
      store = await context.reopen(store);
      expectSameContents(await store.entries(), model, 'after the first reopen');
      expect(await store.size()).toBe(model.size);
      // Writes after a reopen land next to the recovered ones and survive another reopen.
      await set('after reopen', 'yes');
      await store.delete('batch:2');
      model.delete('batch:2');
      store = await context.reopen(store);
      expectSameContents(await store.entries(), model, 'after the second reopen');
    },
  },
  {
    name: 'clear survives reopen',
    gate: canReopen,
    async run(context) {
      let store = await context.open();
      for (let i = 0; i < 10; i++) await store.set(`k${i}`, `v${i}`);
      await store.clear();
      await store.set('after clear', 'kept');
      store = await context.reopen(store);
      expect(await store.keys()).toEqual(['after clear']);
    },
  },
  {
    name: 'a store that was closed without a write reopens empty and usable',
    gate: canReopen,
    async run(context) {
      let store = await context.open();
      store = await context.reopen(store);
      expect(await store.size()).toBe(0);
      await store.set('k', 'v');
      store = await context.reopen(store);
      expect(await store.keys()).toEqual(['k']);
    },
  },
];
