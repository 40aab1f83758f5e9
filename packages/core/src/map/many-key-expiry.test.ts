/**
 * setMany and getMany carry expiries the way set and get do: a TTL given to setMany reaches
 * the backend beside each value (native TTL, kept expiries), and a getMany of keys the LRU
 * cache does not hold reads each one's kept expiry back.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MapBackend } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

const START = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

describe.each([
  ['native TTL', { nativeTtl: true }],
  ['expiry kept by the backend', { nativeTtl: true, storesExpiry: true }],
] as const)('setMany with a TTL (%s)', (_, supports) => {
  it('hands the backend the expiry of every entry of the batch, and none for a batch without TTL', async () => {
    const backend = new MapBackend({ supports: { ...supports, atomicBatch: true } });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 }, sweepInterval: 0 });
    await map.setMany(
      [
        ['a', 1],
        ['b', 2],
      ],
      { ttl: 1000 },
    );
    await map.setMany([['c', 3]]);
    expect(backend.calls.apply).toBe(2);
    expect(Object.fromEntries(backend.expiries)).toEqual({ a: START + 1000, b: START + 1000 });
    expect(await map.ttl('a')).toBe(1000);
    expect(await map.ttl('c')).toBe(Number.POSITIVE_INFINITY);
    vi.setSystemTime(START + 1000);
    expect(await map.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, 3]);
    await map.close();
  });
});

describe('getMany over a backend that keeps expiries itself', () => {
  it('reads every missing key with its expiry, so a live value is returned and an expired one is not', async () => {
    const supports = { nativeTtl: true, storesExpiry: true } as const;
    const writer = new MapBackend({ supports });
    const first = await PersistentMap.open(writer, { sweepInterval: 0 });
    await first.set('live', 'yes', { ttl: 5000 });
    await first.set('soon', 'no', { ttl: 1000 });
    await first.set('plain', 'always');
    await first.close();
    const backend = new MapBackend({ data: writer.data, expiries: writer.expiries, supports });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 }, sweepInterval: 0 });
    vi.setSystemTime(START + 2000);
    expect(await map.getMany(['live', 'soon', 'plain', 'absent'])).toEqual(['yes', undefined, 'always', undefined]);
    expect(await map.ttl('live')).toBe(3000);
    await map.close();
  });
});
