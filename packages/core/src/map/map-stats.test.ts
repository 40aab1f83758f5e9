import { describe, expect, it } from 'vitest';
import { MapBackend } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

describe('map.stats()', () => {
  it('counts hits, misses, backend reads and writes, evictions and cached entries in LRU mode', async () => {
    const backend = new MapBackend({ data: new Map([['stored', '1']]) });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 2 } });
    expect(map.stats()).toEqual({
      hits: 0,
      misses: 0,
      backendReads: 0,
      backendWrites: 0,
      evictions: 0,
      errors: 0,
      expired: 0,
      cachedEntries: 0,
    });
    await map.get('stored'); // miss, one read
    await map.set('a', 1); // write, cached
    await map.get('stored'); // hit
    await map.get('a'); // hit
    await map.set('b', 2); // write, evicts one entry
    expect(map.stats()).toEqual({
      hits: 2,
      misses: 1,
      backendReads: 1,
      backendWrites: 2,
      evictions: 1,
      errors: 0,
      expired: 0,
      cachedEntries: 2,
    });
    await map.close();
  });

  it('counts every read as a hit in full mode, and failed backend calls as errors', async () => {
    const backend = new MapBackend({ data: new Map([['a', '1']]) });
    const map = await PersistentMap.open(backend);
    await map.get('a');
    await map.get('missing');
    backend.failWith = () => new Error('EIO');
    await map.set('a', 2).catch(() => undefined);
    const stats = map.stats();
    expect(stats).toMatchObject({ hits: 2, misses: 0, backendReads: 1, backendWrites: 1, errors: 1, cachedEntries: 1 });
    backend.failWith = undefined;
    await map.close();
  });

  it('returns a snapshot that later operations do not change', async () => {
    const map = await PersistentMap.open(new MapBackend());
    const before = map.stats();
    await map.get('x');
    expect(before.hits).toBe(0);
    expect(map.stats().hits).toBe(1);
    await map.close();
  });
});
