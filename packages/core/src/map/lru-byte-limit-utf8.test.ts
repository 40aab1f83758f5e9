import { describe, expect, it } from 'vitest';
import { MapBackend } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

// Key 'é' is 2 UTF-8 bytes; the value 'ü€😀' is stored as the JSON '"ü€😀"': 2 + 2 + 3 + 4 = 11 bytes.
// The entry costs 13 bytes: it fits an LRU of maxBytes 13 and not one of 12.
const key = 'é';
const value = 'ü€😀';
const entryBytes = 13;

async function cachedAfterWrite(maxBytes: number): Promise<boolean> {
  const backend = new MapBackend();
  const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxBytes } });
  await map.set(key, value);
  const reads = backend.calls.get;
  expect(await map.get(key)).toBe(value);
  await map.close();
  return backend.calls.get === reads;
}

async function cachedAfterRead(maxBytes: number): Promise<boolean> {
  const backend = new MapBackend();
  backend.data.set(key, JSON.stringify(value));
  const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxBytes } });
  expect(await map.get(key)).toBe(value);
  expect(await map.get(key)).toBe(value);
  await map.close();
  return backend.calls.get === 1;
}

describe('the LRU charges an entry its UTF-8 bytes, key and value, at the maxBytes limit', () => {
  it('keeps a written entry of exactly maxBytes and not one byte more', async () => {
    expect(Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value))).toBe(entryBytes);
    expect(await cachedAfterWrite(entryBytes)).toBe(true);
    expect(await cachedAfterWrite(entryBytes - 1)).toBe(false);
  });

  it('keeps a read entry of exactly maxBytes and not one byte more', async () => {
    expect(await cachedAfterRead(entryBytes)).toBe(true);
    expect(await cachedAfterRead(entryBytes - 1)).toBe(false);
  });

  it('charges an absent key its own bytes', async () => {
    const missing = '😀😀😀'; // 12 bytes
    for (const [maxBytes, remembered] of [
      [12, true],
      [11, false],
    ] as const) {
      const backend = new MapBackend();
      const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxBytes } });
      expect(await map.get(missing)).toBeUndefined();
      expect(await map.get(missing)).toBeUndefined();
      expect(backend.calls.get === 1).toBe(remembered);
      await map.close();
    }
  });
});
