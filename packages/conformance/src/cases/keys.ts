/** Keys at the edges: empty, every kind of Unicode, and as long as the backend declares. */
import { expect } from 'vitest';
import { expectCode, expectSameContents, expectValue } from '../assertions.js';
import type { KitCase, Value } from '../types.js';

/** Keys that break naive engines: normalisation, direction, surrogate pairs, NUL, separators. */
export const unicodeKeys: readonly string[] = [
  '😀',
  'family 👨‍👩‍👧‍👦',
  'e\u0301', // e + combining acute: must stay distinct from the precomposed é
  '\u00e9',
  'שלום עולם', // right-to-left
  'مرحبا',
  '\u202eright-to-left override',
  '𝄞 astral',
  '\u{10ffff}',
  '\ufffd',
  'nul\u0000inside',
  '\u0000',
  'tab\tnew\nline\r',
  'comma,"quote"',
  ' leading and trailing ',
  '日本語のキー',
  '=SUM(A1:A2)',
  'a/b\\c',
];

const bigKeys = (supports: { maxKeyBytes: number }) => supports.maxKeyBytes >= 65_536;

export const keyCases: KitCase[] = [
  {
    name: 'the empty string is a key like any other',
    async run(context) {
      const store = await context.open();
      await store.set('', 'empty key');
      await store.set('a', 'a');
      expectValue(await store.get(''), 'empty key', 'get of the empty key');
      expect(await store.has('')).toBe(true);
      expect((await store.keys()).sort()).toEqual(['', 'a']);
      expect(await store.delete('')).toBe(true);
      expect(await store.get('')).toBeUndefined();
    },
  },
  {
    name: 'unicode keys (emoji, combining marks, right-to-left, astral, NUL inside) round trip and stay distinct',
    async run(context) {
      const store = await context.open();
      const model = new Map<string, Value>();
      for (const [index, key] of unicodeKeys.entries()) model.set(key, `value ${index}`);
      for (const [key, value] of model) await store.set(key, value);
      for (const [key, value] of model) expectValue(await store.get(key), value, `get ${JSON.stringify(key)}`);
      expect(await store.size()).toBe(model.size);
      expectSameContents(await store.entries(), model, 'iteration of unicode keys');
      expect(await store.get('e\u0301'.normalize('NFC'))).toBe('value 3'); // NFC form is the other key
    },
  },
  {
    name: 'a 64 KiB key is accepted, and a key of exactly maxKeyBytes too',
    gate: bigKeys,
    async run(context) {
      const store = await context.open();
      const max = context.supports.maxKeyBytes;
      const big = `${'k'.repeat(65_536 - 4)}😀`; // 4-byte char at the end: bytes, not UTF-16 units
      await store.set(big, 'big');
      expectValue(await store.get(big), 'big', 'get of the 64 KiB key');
      expect(await store.keys()).toEqual([big]);
      if (max <= 4 * 1024 * 1024) {
        const exact = `${'x'.repeat(max - 3)}€`; // € is 3 UTF-8 bytes
        await store.set(exact, 'exact');
        expectValue(await store.get(exact), 'exact', 'get of a key of exactly maxKeyBytes');
      }
    },
  },
  {
    name: 'a key one byte over maxKeyBytes is rejected with INVALID_KEY and nothing is written',
    gate: (supports) => supports.maxKeyBytes <= 16 * 1024 * 1024,
    async run(context) {
      const store = await context.open();
      const max = context.supports.maxKeyBytes;
      await store.set('other', 'kept');
      const over = `${'y'.repeat(max - 2)}€`; // max + 1 bytes, fewer UTF-16 units than bytes
      await expectCode(() => store.set(over, 'v'), 'INVALID_KEY', 'set of an over-long key');
      await expectCode(() => store.apply([{ type: 'set', key: over, value: 'v' }]), 'INVALID_KEY', 'batch with it');
      expect(await store.keys()).toEqual(['other']);
    },
  },
  {
    name: 'a key with a lone surrogate is rejected with INVALID_KEY and nothing is written',
    async run(context) {
      const store = await context.open();
      for (const key of ['\ud800', 'a\udc00b', 'end\ud83d']) {
        await expectCode(() => store.set(key, 'v'), 'INVALID_KEY', `set ${JSON.stringify(key)}`);
        await expectCode(() => store.get(key), 'INVALID_KEY', `get ${JSON.stringify(key)}`);
        await expectCode(() => store.delete(key), 'INVALID_KEY', `delete ${JSON.stringify(key)}`);
      }
      expect(await store.size()).toBe(0);
    },
  },
];
