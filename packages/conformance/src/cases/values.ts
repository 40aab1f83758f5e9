/** Values from zero bytes to 16 MiB, round tripped exactly and with their type. */
import { expect } from 'vitest';
import { expectValue } from '../assertions.js';
import { patternBytes, patternText } from '../random.js';
import type { KitCase } from '../types.js';

const sixteenMiB = 16 * 1024 * 1024;
/** Room for a codec's or an envelope's few bytes around a 16 MiB value. */
const fitsSixteenMiB = (supports: { maxValueBytes: number }) => supports.maxValueBytes >= sixteenMiB + 1024;

export const valueCases: KitCase[] = [
  {
    name: 'an empty string and empty bytes round trip, each keeping its type',
    async run(context) {
      const store = await context.open();
      await store.set('text', '');
      await store.set('bytes', new Uint8Array(0));
      expectValue(await store.get('text'), '', 'empty string');
      expectValue(await store.get('bytes'), new Uint8Array(0), 'empty bytes');
      const entries = new Map(await store.entries());
      expectValue(entries.get('text'), '', 'empty string in iteration');
      expectValue(entries.get('bytes'), new Uint8Array(0), 'empty bytes in iteration');
    },
  },
  {
    name: 'text and bytes that look alike stay apart: "AB" is not the bytes 0x41 0x42',
    async run(context) {
      const store = await context.open();
      await store.set('text', 'AB');
      await store.set('bytes', new Uint8Array([0x41, 0x42]));
      expectValue(await store.get('text'), 'AB', 'text');
      expectValue(await store.get('bytes'), new Uint8Array([0x41, 0x42]), 'bytes');
    },
  },
  {
    name: 'unicode text and every byte value round trip exactly',
    async run(context) {
      const store = await context.open();
      const text = 'NUL\u0000 tab\t é e\u0301 😀 שלום 𝄞 \u{10ffff} \ufffd "quoted",\r\n';
      const bytes = patternBytes(4096);
      await store.set('text', text);
      await store.set('bytes', bytes);
      expectValue(await store.get('text'), text, 'unicode text');
      expectValue(await store.get('bytes'), bytes, 'all byte values');
    },
  },
  {
    name: 'a 16 MiB string round trips exactly and stays a string',
    gate: fitsSixteenMiB,
    timeout: 120_000,
    async run(context) {
      const store = await context.open();
      const text = patternText(sixteenMiB, 2);
      await store.set('big', text);
      await store.set('small', 'after');
      expectValue(await store.get('big'), text, '16 MiB string');
      expectValue((await store.stored()).get('big'), text, '16 MiB string in the backend');
      expectValue(await store.get('small'), 'after', 'the key written after it');
      expect(await store.size()).toBe(2);
    },
  },
  {
    name: '16 MiB of bytes round trip exactly and stay bytes',
    gate: fitsSixteenMiB,
    timeout: 120_000,
    async run(context) {
      const store = await context.open();
      const bytes = patternBytes(sixteenMiB, 3);
      await store.set('big', bytes);
      expectValue(await store.get('big'), bytes, '16 MiB bytes');
      expectValue((await store.stored()).get('big'), bytes, '16 MiB bytes in the backend');
      const [entry] = await store.entries();
      expectValue(entry?.[1], bytes, '16 MiB bytes in iteration');
    },
  },
];
