/**
 * A set that finds its key free holds the key's queue itself (no promise chain): once the
 * backend answered, success or failure, the key is free again, so nothing is kept per key.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
import { jsonCodec } from './codecs.js';
import { LruCache, NEVER } from './map-cache.js';
import { MapStore } from './map-store.js';

async function openStore(backend: MapBackend): Promise<MapStore<unknown>> {
  await backend.open();
  return new MapStore<unknown>(backend, jsonCodec, new LruCache<unknown>(10, 1 << 20));
}

describe('the key a set held', () => {
  it('is free again after the backend took the set', async () => {
    const store = await openStore(new MapBackend());
    const setting = store.set({ key: 'k', value: 1, stored: '1', expiresAt: NEVER });
    expect(store.queue.busy('k')).toBe(true);
    await setting;
    expect(store.queue.busy('k')).toBe(false);
  });

  it('is free again after the backend refused the set', async () => {
    const backend = new MapBackend();
    const store = await openStore(backend);
    backend.failWith = () => new Error('EIO');
    const setting = store.set({ key: 'k', value: 1, stored: '1', expiresAt: NEVER });
    expect(store.queue.busy('k')).toBe(true);
    expect(await codeOf(setting)).toBe('IO');
    expect(store.queue.busy('k')).toBe(false);
  });
});
