/**
 * MapStore keeps a table of expiries for the full cache only (its sweep and size read it):
 * an LRU store must stay bounded, so it remembers no expiry beside the entries it evicts.
 */
import { describe, expect, it } from 'vitest';
import { MapBackend } from '../test-backends.fixture.js';
import { jsonCodec } from './codecs.js';
import { wrap } from './envelope.js';
import { FullCache, LruCache, type MapCache } from './map-cache.js';
import { MapStore } from './map-store.js';

const expiresAt = Date.now() + 60_000;

async function storeWith(cache: MapCache<unknown>): Promise<MapStore<unknown>> {
  const backend = new MapBackend();
  await backend.open();
  return new MapStore<unknown>(backend, jsonCodec, cache);
}

describe('the expiries a MapStore tracks', () => {
  it('are those of the full cache: a set with a TTL is tracked, a later set without one is not', async () => {
    const store = await storeWith(new FullCache<unknown>());
    await store.set({ key: 'k', value: 1, stored: wrap('1', expiresAt), expiresAt });
    expect([...store.expiring]).toEqual([['k', expiresAt]]);
    await store.set({ key: 'k', value: 2, stored: '2', expiresAt: Number.POSITIVE_INFINITY });
    expect(store.expiring.size).toBe(0);
  });

  it('are none in an LRU store, however many keys with a TTL it writes', async () => {
    const store = await storeWith(new LruCache<unknown>(2, 1 << 20));
    for (let index = 0; index < 5; index++) {
      await store.set({ key: `k${index}`, value: index, stored: wrap(String(index), expiresAt), expiresAt });
    }
    expect(store.expiring.size).toBe(0);
  });
});
