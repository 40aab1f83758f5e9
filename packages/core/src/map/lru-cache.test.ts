import { describe, expect, it } from 'vitest';
import { latch, MapBackend, settle } from '../test-backends.fixture.js';
import { LruCache, NEVER, NoCache } from './map-cache.js';
import { PersistentMap } from './persistent-map.js';

const reads = (backend: MapBackend) => backend.calls.get + backend.calls.getMany;

describe('LRU cache', () => {
  it('evicts entries not used recently before entries used since they were last examined', async () => {
    const cache = new LruCache<number>(3, 1000);
    const entry = (value: number) => ({ value, expiresAt: NEVER, bytes: 1 });
    for (const [index, key] of ['a', 'b', 'c'].entries()) cache.set(key, entry(index));
    cache.get('a');
    cache.get('b');
    cache.set('d', entry(3)); // a and b get a second chance, c goes
    expect([...cache.keys()].sort()).toEqual(['a', 'b', 'd']);
    cache.set('e', entry(4)); // a, b were moved young and lost their flags; d (never used since) goes first
    expect([...cache.keys()].sort()).toEqual(['a', 'b', 'e']);
    expect(cache.evictions).toBe(2);
    expect(cache.size).toBe(3);
  });

  it('still evicts when every entry was used since it was last examined', () => {
    const cache = new LruCache<number>(3, 1000);
    const entry = (value: number) => ({ value, expiresAt: NEVER, bytes: 1 });
    for (const [index, key] of ['a', 'b', 'c'].entries()) cache.set(key, entry(index));
    for (const key of ['a', 'b', 'c']) cache.get(key);
    cache.set('d', entry(3)); // every flag is cleared in one round, then the oldest goes
    expect([...cache.keys()].sort()).toEqual(['b', 'c', 'd']);
    expect(cache.size).toBe(3);
    expect(cache.evictions).toBe(1);
  });

  it('keeps entries that fill maxBytes exactly', () => {
    const cache = new LruCache<number>(100, 3);
    const entry = (value: number) => ({ value, expiresAt: NEVER, bytes: 1 });
    for (const [index, key] of ['a', 'b', 'c'].entries()) cache.set(key, entry(index));
    expect(cache.size).toBe(3);
    expect(cache.evictions).toBe(0);
    cache.set('d', entry(3));
    expect([...cache.keys()].sort()).toEqual(['b', 'c', 'd']);
  });

  it('evicts in age order after an entry in the middle is rewritten', () => {
    const cache = new LruCache<number>(3, 1000);
    const entry = (value: number) => ({ value, expiresAt: NEVER, bytes: 1 });
    for (const [index, key] of ['a', 'b', 'c'].entries()) cache.set(key, entry(index));
    cache.set('b', entry(10)); // b becomes the youngest: a is still the oldest
    cache.set('d', entry(3));
    expect([...cache.keys()].sort()).toEqual(['b', 'c', 'd']);
    cache.set('e', entry(4));
    expect([...cache.keys()].sort()).toEqual(['b', 'd', 'e']);
    expect(cache.get('b')?.value).toBe(10);
  });

  it('evicts several entries for one large enough write, oldest first', () => {
    const cache = new LruCache<number>(100, 10);
    for (const [index, key] of ['a', 'b', 'c', 'd', 'e'].entries())
      cache.set(key, { value: index, expiresAt: NEVER, bytes: 2 });
    cache.get('d');
    cache.set('big', { value: 9, expiresAt: NEVER, bytes: 8 });
    expect([...cache.keys()].sort()).toEqual(['big', 'd']);
    expect(cache.evictions).toBe(4);
  });

  it('a cache of nothing holds nothing', () => {
    const cache = new NoCache<number>();
    cache.set('a', { value: 1, expiresAt: NEVER, bytes: 1 });
    expect(cache.get('a')).toBeUndefined();
    expect([...cache.keys()]).toEqual([]);
    expect(cache.size).toBe(0);
    expect(cache.complete).toBe(false);
  });

  it('evicts the least recently used entries past maxEntries and reads them back through', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 3 } });
    for (const key of ['a', 'b', 'c']) await map.set(key, key);
    await map.get('a'); // a is now more recent than b
    await map.set('d', 'd');
    expect(map.stats().evictions).toBe(1);
    expect(map.stats().cachedEntries).toBe(3);
    const before = reads(backend);
    expect(await map.get('a')).toBe('a');
    expect(reads(backend)).toBe(before);
    expect(await map.get('b')).toBe('b');
    expect(reads(backend)).toBe(before + 1);
    await map.close();
  });

  it('evicts past maxBytes, and never caches a value larger than maxBytes', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxBytes: 100 } });
    const forty = 'x'.repeat(38); // 40 bytes as JSON, plus one for the key
    await map.set('a', forty);
    await map.set('b', forty);
    expect(map.stats().cachedEntries).toBe(2);
    await map.set('c', forty);
    expect(map.stats().cachedEntries).toBe(2);
    expect(map.stats().evictions).toBe(1);
    await map.set('big', 'y'.repeat(200));
    const before = reads(backend);
    expect(await map.get('big')).toBe('y'.repeat(200));
    expect(reads(backend)).toBe(before + 1);
    expect(await map.get('a')).toBe(forty);
    await map.close();
  });

  it('shares one backend read among concurrent misses of one key', async () => {
    const backend = new MapBackend({ data: new Map([['k', '"v"']]) });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru' } });
    const gate = latch();
    backend.hold = (operation) => (operation === 'get' ? gate.promise : undefined);
    const gets = Array.from({ length: 10 }, () => map.get('k'));
    await settle();
    gate.release();
    expect(await Promise.all(gets)).toEqual(Array(10).fill('v'));
    expect(backend.calls.get).toBe(1);
    expect(map.stats()).toMatchObject({ misses: 10, backendReads: 1, hits: 0 });
    expect(await map.get('k')).toBe('v');
    expect(map.stats().hits).toBe(1);
    await map.close();
  });

  it('remembers an absent key until it is written', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru' } });
    expect(await map.get('k')).toBeUndefined();
    expect(await map.get('k')).toBeUndefined();
    expect(await map.has('k')).toBe(false);
    expect(backend.calls.get).toBe(1);
    await map.set('k', 1);
    expect(await map.get('k')).toBe(1);
    await map.delete('k');
    expect(await map.get('k')).toBeUndefined();
    await map.close();
  });

  it('never lets a backend read that a write overtook land in the cache', async () => {
    const backend = new MapBackend({ data: new Map([['k', '1']]) });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru' } });
    const gate = latch();
    const read = backend.get.bind(backend);
    // A read that takes its value, then is slow to answer.
    backend.get = async (key) => {
      const value = await read(key);
      await gate.promise;
      return value;
    };
    const slowRead = map.get('k');
    await settle();
    await map.set('k', 2);
    gate.release();
    expect(await slowRead).toBe(1); // it was asked before the write finished
    expect(await map.get('k')).toBe(2);
    expect(backend.calls.get).toBe(1);
    await map.close();
  });

  it('reads all misses of getMany in one backend call', async () => {
    const backend = new MapBackend({
      data: new Map([
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]),
    });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru' } });
    await map.get('a');
    expect(await map.getMany(['a', 'b', 'c', 'd'])).toEqual([1, 2, 3, undefined]);
    expect(backend.calls.getMany).toBe(1);
    expect(await map.getMany(['b', 'c', 'd'])).toEqual([2, 3, undefined]);
    expect(backend.calls.getMany).toBe(1);
    await map.close();
  });
});
