import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EncodedValue } from '../contract/storage-backend.js';
import { codeOf, collect, MapBackend, settle } from '../test-backends.fixture.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const START = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

/** How the backend learns expiries: only from core's envelope, as an index beside it (nativeTtl), or kept in place of it (storesExpiry). */
type TtlKind = 'envelope' | 'native' | 'kept';

const modes: [string, CacheOptions, TtlKind][] = [
  ['full cache', { mode: 'full' }, 'envelope'],
  ['lru cache', { mode: 'lru', maxEntries: 100 }, 'envelope'],
  ['full cache, native TTL', { mode: 'full' }, 'native'],
  ['lru cache, native TTL', { mode: 'lru', maxEntries: 100 }, 'native'],
  ['full cache, expiry kept by the backend', { mode: 'full' }, 'kept'],
  ['lru cache, expiry kept by the backend', { mode: 'lru', maxEntries: 100 }, 'kept'],
];

describe.each(modes)('TTL (%s)', (_, cache, kind) => {
  const nativeTtl = kind !== 'envelope';
  const backendOn = (data = new Map<string, EncodedValue>(), expiries = new Map<string, number>()) =>
    new MapBackend({ data, expiries, supports: { nativeTtl, storesExpiry: kind === 'kept', orderedIteration: true } });

  it('hides an entry at once when its TTL passes', async () => {
    const map = await PersistentMap.open(backendOn(), { cache, sweepInterval: 0 });
    await map.set('short', 's', { ttl: 1000 });
    await map.set('long', 'l', { ttl: 5000 });
    await map.set('forever', 'f');
    vi.setSystemTime(START + 999);
    expect(await map.get('short')).toBe('s');
    vi.setSystemTime(START + 1000);
    expect(await map.get('short')).toBeUndefined();
    expect(await map.has('short')).toBe(false);
    expect(await map.getMany(['short', 'long'])).toEqual([undefined, 'l']);
    expect(await map.size()).toBe(2);
    expect(await collect(map.keys())).toEqual(['forever', 'long']);
    expect(await map.ttl('short')).toBeUndefined();
    expect(await map.delete('short')).toBe(false);
    await map.close();
  });

  it('hands the backend the expiry, inside the stored value unless the backend keeps it itself', async () => {
    const backend = backendOn();
    const map = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
    await map.set('k', { a: 1 }, { ttl: 1500 });
    // A backend that keeps expiries (a CSV column, a SQL column) holds the codec's output alone.
    expect(backend.data.get('k')).toBe(kind === 'kept' ? '{"a":1}' : `\x01${START + 1500}\x01{"a":1}`);
    expect(backend.expiries.get('k')).toBe(START + 1500);
    await map.close();
  });

  it('deletes expired entries from the backend in an active sweep', async () => {
    const backend = backendOn();
    const map = await PersistentMap.open(backend, { cache, sweepInterval: 1000 });
    await map.set('a', 1, { ttl: 500 });
    await map.set('b', 2, { ttl: 1500 });
    await map.set('c', 3);
    vi.advanceTimersByTime(1000);
    await settle();
    await settle();
    expect([...backend.data.keys()].sort()).toEqual(['b', 'c']);
    expect(map.stats().expired).toBe(1);
    vi.setSystemTime(START + 5000);
    expect(await map.sweep()).toBe(1);
    expect([...backend.data.keys()]).toEqual(['c']);
    expect(map.stats().expired).toBe(2);
    if (nativeTtl) expect(backend.calls.sweep).toBeGreaterThanOrEqual(2);
    else expect(backend.calls.sweep).toBe(0);
    await map.close();
  });

  it('keeps the expiry across a reopen, and sweeps what expired while closed', async () => {
    const data = new Map<string, EncodedValue>();
    const expiries = new Map<string, number>();
    const first = await PersistentMap.open(backendOn(data, expiries), { cache, sweepInterval: 0 });
    await first.set('soon', 1, { ttl: 1000 });
    await first.set('later', 2, { ttl: 10_000 });
    await first.close();
    vi.setSystemTime(START + 2000);
    const backend = backendOn(data, kind === 'envelope' ? new Map() : expiries);
    const second = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
    expect(await second.get('soon')).toBeUndefined();
    expect(await second.get('later')).toBe(2);
    expect(await second.ttl('later')).toBe(8000);
    expect(await second.sweep()).toBe(1);
    expect([...data.keys()]).toEqual(['later']);
    await second.close();
  });

  it('expire, ttl and persist change and report the expiry of existing entries only', async () => {
    const backend = backendOn();
    const map = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
    expect(await map.expire('missing', 100)).toBe(false);
    expect(await map.persist('missing')).toBe(false);
    expect(await map.ttl('missing')).toBeUndefined();
    await map.set('k', 'v');
    expect(await map.ttl('k')).toBe(Number.POSITIVE_INFINITY);
    expect(await map.expire('k', 2000)).toBe(true);
    vi.setSystemTime(START + 500);
    expect(await map.ttl('k')).toBe(1500);
    expect(await map.persist('k')).toBe(true);
    expect(await map.ttl('k')).toBe(Number.POSITIVE_INFINITY);
    expect(backend.data.get('k')).toBe('"v"');
    vi.setSystemTime(START + 10_000);
    expect(await map.get('k')).toBe('v');
    await map.close();
  });

  it('set without ttl removes the expiry, update keeps it unless given a new one', async () => {
    const map = await PersistentMap.open<string, number>(backendOn(), { cache, sweepInterval: 0 });
    await map.set('a', 1, { ttl: 1000 });
    await map.set('a', 2);
    expect(await map.ttl('a')).toBe(Number.POSITIVE_INFINITY);
    await map.set('b', 1, { ttl: 1000 });
    await map.update('b', (n) => (n ?? 0) + 1);
    expect(await map.ttl('b')).toBe(1000);
    await map.update('b', (n) => (n ?? 0) + 1, { ttl: 5000 });
    expect(await map.ttl('b')).toBe(5000);
    vi.setSystemTime(START + 6000);
    expect(await map.update('b', (n) => (n ?? 0) + 1)).toBe(1); // expired counts as absent
    await map.close();
  });

  it('never sweeps an entry renewed by a write that came first', async () => {
    const backend = backendOn();
    const map = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
    await map.set('a', 1, { ttl: 100 });
    vi.setSystemTime(START + 200);
    const renewed = map.set('a', 2);
    const sweeping = map.sweep();
    await Promise.all([renewed, sweeping]);
    expect(await map.get('a')).toBe(2);
    expect(backend.data.get('a')).toBe('2');
    await map.close();
  });

  it('refuses a TTL that is not a positive number with INVALID_ARGUMENT', async () => {
    const backend = backendOn();
    const map = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
    for (const ttl of [0, -1, Number.NaN, '5' as unknown as number]) {
      expect(await codeOf(map.set('k', 1, { ttl }))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(map.expire('k', ttl))).toBe('INVALID_ARGUMENT');
    }
    expect(backend.data.size).toBe(0);
    await map.close();
  });
});
