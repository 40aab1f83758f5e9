import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collect, MapBackend } from '../test-backends.fixture.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const modes: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 10 }],
];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe.each(modes)('size, deleteMany and iteration leave out expired entries (%s cache)', (_, cache) => {
  const open = async () => {
    const backend = new MapBackend({ supports: { orderedIteration: true } });
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.set('a', 1, { ttl: 1000 }); // expires first, outside the namespace
    await map.set('b', 2);
    await map.set('ns:x', 3, { ttl: 1000 });
    await map.set('ns:y', 4);
    await map.set('ns:z', 5, { ttl: 5000 });
    return { backend, map };
  };

  it('counts only live entries, under a prefix only those of the prefix', async () => {
    const { map } = await open();
    expect(await map.size()).toBe(5);
    expect(await map.namespace('ns:').size()).toBe(3);
    vi.setSystemTime(1_000_000 + 1000); // an expiry equal to now is past
    expect(await map.size()).toBe(3);
    expect(await map.namespace('ns:').size()).toBe(2);
    vi.setSystemTime(1_000_000 + 5000);
    expect(await map.size()).toBe(2);
    expect(await map.namespace('ns:').size()).toBe(1);
    await map.close();
  });

  it('counts in deleteMany only the keys that were live, once each', async () => {
    const { map } = await open();
    vi.setSystemTime(1_000_000 + 1000);
    expect(await map.deleteMany(['a', 'b', 'b', 'missing', 'ns:x', 'ns:y'])).toBe(2);
    expect(await map.size()).toBe(1);
    expect(await map.delete('ns:z')).toBe(true);
    expect(await map.delete('ns:z')).toBe(false);
    await map.close();
  });

  it('skips expired entries in a short ordered scan and still gives `limit` live ones', async () => {
    const { map } = await open();
    vi.setSystemTime(1_000_000 + 1000);
    expect(await collect(map.keys({ limit: 2 }))).toEqual(['b', 'ns:y']);
    expect(await collect(map.keys({ limit: 2, reverse: true }))).toEqual(['ns:z', 'ns:y']);
    expect(await collect(map.entries({ prefix: 'ns:', limit: 5 }))).toEqual([
      ['ns:y', 4],
      ['ns:z', 5],
    ]);
    await map.close();
  });

  it('reads an expired entry as absent, and counts the read as a hit once cached', async () => {
    const { map } = await open();
    vi.setSystemTime(1_000_000 + 1000);
    expect(await map.get('a')).toBeUndefined();
    expect(await map.has('a')).toBe(false);
    expect(await map.getMany(['a', 'b'])).toEqual([undefined, 2]);
    await map.close();
  });
});

describe('a long ordered scan of the full cache', () => {
  it('yields every live key in code-point order beyond the short-scan limit', async () => {
    const backend = new MapBackend({ supports: { orderedIteration: true } });
    const map = await PersistentMap.open<string, number>(backend, { sweepInterval: 0 });
    const keys = Array.from({ length: 1002 }, (_, index) => `k${String(index).padStart(4, '0')}`);
    await map.setMany(keys.map((key, index) => [key, index]));
    const limited = await collect(map.keys({ limit: 1001 }));
    expect(limited).toEqual(keys.slice(0, 1001));
    const reversed = await collect(map.keys({ limit: 1001, reverse: true }));
    expect(reversed).toEqual([...keys].reverse().slice(0, 1001));
    await map.close();
  });
});
