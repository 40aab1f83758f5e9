import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EncodedValue } from '../contract/storage-backend.js';
import { codeOf, collect, MapBackend, TransactionalBackend } from '../test-backends.fixture.js';
import { MAX_EXPIRES_AT } from './envelope.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const caches: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 100 }],
];

const bad = (value: unknown) => value as never;

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(caches)('argument refusals (%s cache)', (_, cache) => {
  const open = (backend = new MapBackend({ supports: { orderedIteration: true } })) =>
    PersistentMap.open(backend, { cache, sweepInterval: 0 });

  it('refuses an update without a function with INVALID_ARGUMENT, and writes nothing', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    await map.set('k', 1);
    expect(await codeOf(map.update('k', bad('not a function')))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.update('k', bad(undefined)))).toBe('INVALID_ARGUMENT');
    expect(await map.get('k')).toBe(1);
    expect(backend.log).toEqual([['k', '1']]);
    await map.close();
  });

  it('refuses an update with a bad ttl before its function runs, even one that would delete', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    await map.set('k', 1);
    const fn = vi.fn(() => undefined);
    for (const ttl of [-1, 0, Number.NaN, 1e300]) {
      expect(await codeOf(map.update('k', fn, { ttl }))).toBe('INVALID_ARGUMENT');
    }
    expect(fn).not.toHaveBeenCalled();
    expect(await map.get('k')).toBe(1);
    expect(backend.log).toEqual([['k', '1']]);
    await map.close();
  });

  it('writes nothing to the backend when an update of an absent key returns undefined', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    expect(await map.update('absent', () => undefined)).toBeUndefined();
    expect(backend.log).toEqual([]);
    expect(backend.calls.delete + backend.calls.apply + backend.calls.set).toBe(0);
    await map.close();
  });

  it('refuses a transaction without a function with INVALID_ARGUMENT', async () => {
    const backend = new TransactionalBackend();
    const map = await open(backend);
    expect(await codeOf(map.transaction(bad('body')))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.transaction(bad(null)))).toBe('INVALID_ARGUMENT');
    expect(backend.commits).toBe(0);
    await map.close();
  });

  it('refuses a namespace prefix that is not a well-formed string', async () => {
    const map = await open();
    expect(() => map.namespace(bad(5))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => map.namespace(bad(null))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => map.namespace('a\ud800')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(map.prefix).toBe('');
    expect(map.namespace('a:').namespace('b:').prefix).toBe('a:b:');
    await map.close();
  });

  it('refuses set options that are not an object, and writes nothing', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    for (const options of [5, 'ttl', null, true]) {
      expect(await codeOf(map.set('k', 'v', bad(options)))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(map.setMany([['k', 'v']], bad(options)))).toBe('INVALID_ARGUMENT');
    }
    expect(backend.log).toEqual([]);
    expect(await map.get('k')).toBeUndefined();
    await map.close();
  });

  it('refuses a ttl that is not a positive number of ms, and accepts Infinity as none', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    for (const ttl of [0, -5, Number.NaN, Number.NEGATIVE_INFINITY, '10']) {
      expect(await codeOf(map.set('k', 'v', { ttl: bad(ttl) }))).toBe('INVALID_ARGUMENT');
    }
    expect(backend.log).toEqual([]);
    await map.set('forever', 'v', { ttl: Number.POSITIVE_INFINITY });
    expect(await map.ttl('forever')).toBe(Number.POSITIVE_INFINITY);
    await map.set('short', 'v', { ttl: 60_000 });
    expect(await map.expire('short', Number.POSITIVE_INFINITY)).toBe(true);
    expect(await map.ttl('short')).toBe(Number.POSITIVE_INFINITY);
    await map.close();
  });

  it('accepts a ttl that ends exactly at the latest expiry a store can carry', async () => {
    const data = new Map<string, EncodedValue>();
    const map = await open(new MapBackend({ data }));
    const now = 1_700_000_000_000;
    vi.spyOn(Date, 'now').mockReturnValue(now);
    await map.set('last', 'v', { ttl: MAX_EXPIRES_AT - now });
    expect(await codeOf(map.set('beyond', 'v', { ttl: MAX_EXPIRES_AT - now + 1 }))).toBe('INVALID_ARGUMENT');
    expect(await map.ttl('last')).toBe(MAX_EXPIRES_AT - now);
    expect([...data.keys()]).toEqual(['last']);
    await map.close();
  });

  it('refuses null among setMany pairs and objects that are not iterable, writing nothing', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    expect(await codeOf(map.setMany(bad([['a', 1], null])))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.setMany(bad({ a: 1 })))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.getMany(bad({ length: 1 })))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.deleteMany(bad({})))).toBe('INVALID_ARGUMENT');
    expect(backend.log).toEqual([]);
    await map.close();
  });

  it('makes no backend call for setMany and deleteMany of no keys', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    const before = { ...backend.calls };
    const stats = map.stats();
    await map.setMany([]);
    expect(await map.deleteMany([])).toBe(0);
    expect(await map.getMany([])).toEqual([]);
    expect(backend.calls).toEqual(before);
    expect(map.stats()).toEqual(stats);
    await map.close();
  });

  it('counts the hits and misses of getMany in stats, and reads only the misses', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    await map.set('a', 1);
    await map.set('b', 2);
    const before = map.stats();
    const reads = backend.calls.get + backend.calls.getMany;
    expect(await map.getMany(['a', 'b'])).toEqual([1, 2]);
    expect(backend.calls.get + backend.calls.getMany).toBe(reads);
    expect(map.stats().hits - before.hits).toBe(2);
    expect(map.stats().misses - before.misses).toBe(0);
    expect(await map.getMany(['a', 'x', 'y'])).toEqual([1, undefined, undefined]);
    const after = map.stats();
    // A full cache knows the absent keys are absent: they are hits, not misses.
    expect(after.hits - before.hits).toBe(cache.mode === 'full' ? 5 : 3);
    expect(after.misses - before.misses).toBe(cache.mode === 'full' ? 0 : 2);
    await map.close();
  });

  it('iterates a namespace up to an inclusive upper bound', async () => {
    const map = await open();
    const ns = map.namespace('n:');
    await map.set('m', 0);
    await ns.setMany([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    await map.set('n:~', 4);
    await map.set('o', 5);
    expect(await collect(ns.keys({ lte: 'b' }))).toEqual(['a', 'b']);
    expect(await collect(ns.keys({ gt: 'a', lte: 'c' }))).toEqual(['b', 'c']);
    await map.close();
  });
});
