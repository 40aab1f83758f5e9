import { describe, expect, it } from 'vitest';
import type { EncodedValue } from '../contract/storage-backend.js';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
import { structuredCodec } from './codecs.js';
import { MAX_EXPIRES_AT } from './envelope.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const caches: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 100 }],
  ['none', { mode: 'none' }],
];

describe.each(caches)('map inputs (%s cache)', (_, cache) => {
  const open = (data = new Map<string, EncodedValue>()) =>
    PersistentMap.open(new MapBackend({ data, supports: { orderedIteration: true } }), { cache, sweepInterval: 0 });

  it('refuses a TTL whose expiry the store could not read back after a restart, and stores nothing', async () => {
    const data = new Map<string, EncodedValue>();
    const map = await open(data);
    await map.set('kept', 'v');
    expect(await codeOf(map.set('huge', 'v', { ttl: 1e16 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.expire('kept', 1e300))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.update('kept', () => 'w', { ttl: Number.MAX_VALUE }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.setMany([['many', 'v']], { ttl: 1e17 }))).toBe('INVALID_ARGUMENT');
    expect([...data.keys()]).toEqual(['kept']);
    expect(await map.ttl('kept')).toBe(Number.POSITIVE_INFINITY);
    await map.close();
  });

  it('reads back after reopen the longest TTL it accepted', async () => {
    const data = new Map<string, EncodedValue>();
    const map = await open(data);
    const longest = MAX_EXPIRES_AT - Date.now() - 10_000;
    await map.set('far', 'v', { ttl: longest });
    await map.close();
    const again = await open(data);
    expect(await again.get('far')).toBe('v');
    expect(await again.ttl('far')).toBeGreaterThan(longest - 60_000);
    await again.close();
  });

  it('refuses what is not an iterable of keys or of [key, value] pairs with INVALID_ARGUMENT', async () => {
    const data = new Map<string, EncodedValue>();
    const map = await open(data);
    const bad = (value: unknown) => value as never;
    expect(await codeOf(map.getMany(bad(null)))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.getMany(bad('abc')))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.setMany(bad(null)))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.setMany(bad('abc')))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.setMany(bad(['ab'])))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.setMany(bad([['a', 1], 7])))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.deleteMany(bad(undefined)))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(map.deleteMany(bad(42)))).toBe('INVALID_ARGUMENT');
    expect(data.size).toBe(0);
    await map.setMany(new Map([['a', 1]]));
    expect(await map.getMany(new Set(['a', 'b']))).toEqual([1, undefined]);
    await map.close();
  });

  it('gives in the same process exactly the value a read after a restart gives', async () => {
    const data = new Map<string, EncodedValue>();
    const map = await open(data);
    const original = { when: new Date(0), gone: undefined, neg: -0, list: [1, undefined] };
    await map.set('d', original);
    original.list.push(2); // a later change to the caller's object is not stored, so it must not be read
    const before = await map.get('d');
    await map.close();
    const again = await open(data);
    const after = await again.get('d');
    expect(after).toEqual({ when: '1970-01-01T00:00:00.000Z', neg: 0, list: [1, null] });
    expect(before).toStrictEqual(after);
    expect(Object.is((before as { neg: number }).neg, 0)).toBe(true);
    await again.close();
  });

  it('returns from update the value as stored', async () => {
    const map = await open();
    const returned = await map.update('u', () => ({ at: new Date(1000) }));
    expect(returned).toEqual({ at: '1970-01-01T00:00:01.000Z' });
    expect(await map.get('u')).toEqual(returned);
    await map.close();
  });
});

describe('map caches', () => {
  it('keeps exact values of the structured codec as they are', async () => {
    const data = new Map<string, EncodedValue>();
    const map = await PersistentMap.open(new MapBackend({ data }), { codec: structuredCodec, sweepInterval: 0 });
    await map.set('d', { when: new Date(5), neg: -0, big: 10n });
    const value = (await map.get('d')) as { when: Date; neg: number; big: bigint };
    expect(value.when).toBeInstanceOf(Date);
    expect(Object.is(value.neg, -0)).toBe(true);
    expect(value.big).toBe(10n);
    await map.close();
  });

  it("with cache 'none' sees a write another process made through the backend at once", async () => {
    const data = new Map<string, EncodedValue>();
    const backend = new MapBackend({ data });
    const uncached = await PersistentMap.open(backend, { cache: { mode: 'none' }, sweepInterval: 0 });
    const full = await PersistentMap.open(new MapBackend({ data }), { sweepInterval: 0 });
    await uncached.set('k', 'one');
    expect(await full.get('k')).toBeUndefined(); // loaded before the write: a full cache is per process
    data.set('k', '"two"'); // another process writes the shared store
    expect(await uncached.get('k')).toBe('two');
    expect(uncached.stats().cachedEntries).toBe(0);
    await uncached.close();
    await full.close();
  });

  it('refuses a sweep interval a Node timer cannot keep with INVALID_CONFIG', async () => {
    for (const sweepInterval of [3e9, 2 ** 31, -1, Number.NaN]) {
      expect(await codeOf(PersistentMap.open(new MapBackend(), { sweepInterval }))).toBe('INVALID_CONFIG');
    }
    const map = await PersistentMap.open(new MapBackend(), { sweepInterval: 2 ** 31 - 1 });
    await map.close();
  });
});
