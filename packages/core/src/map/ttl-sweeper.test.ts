import { describe, expect, it, vi } from 'vitest';
import { MapBackend, settle, sleep } from '../test-backends.fixture.js';
import { jsonCodec } from './codecs.js';
import { wrap } from './envelope.js';
import { LruCache } from './map-cache.js';
import { MapStore } from './map-store.js';
import { PersistentMap } from './persistent-map.js';
import { TtlSweeper } from './ttl-sweeper.js';

describe('TtlSweeper in LRU mode', () => {
  it('scans an ordered backend a chunk per sweep, resuming where it stopped', async () => {
    const past = Date.now() - 1000;
    const backend = new MapBackend({ supports: { orderedIteration: true } });
    for (const key of ['a', 'b', 'c', 'd', 'e']) backend.data.set(key, wrap('1', key === 'c' ? undefined : past));
    await backend.open();
    const store = new MapStore<unknown>(backend, jsonCodec, new LruCache(10, 1000));
    const sweeper = new TtlSweeper(store, 2);
    expect(await sweeper.sweep()).toBe(2); // a, b
    expect([...backend.data.keys()]).toEqual(['c', 'd', 'e']);
    expect(await sweeper.sweep()).toBe(1); // c (kept), d
    expect(await sweeper.sweep()).toBe(1); // e, then back to the start
    expect([...backend.data.keys()]).toEqual(['c']);
    expect(await sweeper.sweep()).toBe(0);
    expect(store.counters.expired).toBe(4);
    await backend.close();
  });
});

describe('TtlSweeper in LRU mode: chunks and re-reads', () => {
  const past = Date.now() - 1000;

  it('moves on past a chunk of live keys to the expired keys after it', async () => {
    const backend = new MapBackend({ supports: { orderedIteration: true } });
    for (const key of ['a', 'b', 'c', 'd', 'e'])
      backend.data.set(key, wrap('1', key === 'c' || key === 'd' ? past : undefined));
    await backend.open();
    const store = new MapStore<unknown>(backend, jsonCodec, new LruCache(10, 1000));
    const sweeper = new TtlSweeper(store, 2);
    expect(await sweeper.sweep()).toBe(0); // a, b: live
    expect(await sweeper.sweep()).toBe(2); // c, d
    expect(await sweeper.sweep()).toBe(0); // e, then back to the start
    expect([...backend.data.keys()]).toEqual(['a', 'b', 'e']);
    await backend.close();
  });

  it('re-reads only the due keys before deleting, keeping one another process rewrote or removed meanwhile', async () => {
    const backend = new MapBackend({ supports: { orderedIteration: true } });
    const future = Date.now() + 3_600_000;
    backend.data.set('due', wrap('1', past));
    backend.data.set('later', wrap('5', future));
    backend.data.set('live', '2');
    backend.data.set('removed', wrap('3', past));
    backend.data.set('rewritten', wrap('4', past));
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 }, sweepInterval: 0 });
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    backend.hold = (operation) => (operation === 'get' ? gate : undefined);
    const reads = backend.calls.get;
    const swept = map.sweep();
    for (let i = 0; i < 100 && backend.calls.get - reads < 3; i++) await settle();
    backend.data.set('rewritten', wrap('"fresh"', future)); // another process, while the re-reads wait
    backend.data.delete('removed');
    release();
    expect(await swept).toBe(1);
    expect(backend.calls.get - reads).toBe(3);
    expect([...backend.data.keys()].sort()).toEqual(['later', 'live', 'rewritten']);
    expect(backend.data.get('rewritten')).toEqual(wrap('"fresh"', future));
    expect(map.stats().expired).toBe(1);
    await map.close();
  });
});

describe('the sweep timer', () => {
  it('sweeps by itself and stops when the map closes', async () => {
    const backend = new MapBackend({ supports: { nativeTtl: true } });
    const map = await PersistentMap.open(backend, { sweepInterval: 5 });
    await map.set('a', 1, { ttl: 1 });
    for (let i = 0; i < 200 && backend.data.has('a'); i++) await sleep(5);
    expect(backend.data.has('a')).toBe(false);
    await map.close();
    const sweeps = backend.calls.sweep;
    await sleep(30);
    expect(backend.calls.sweep).toBe(sweeps);
  });
});

describe('the sweep timer: lifetime', () => {
  it('never starts with a sweepInterval of 0, and leaves no timer behind after close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const off = await PersistentMap.open(new MapBackend({ supports: { nativeTtl: true } }), { sweepInterval: 0 });
      expect(vi.getTimerCount()).toBe(0);
      await off.close();
      const on = await PersistentMap.open(new MapBackend({ supports: { nativeTtl: true } }), { sweepInterval: 50 });
      expect(vi.getTimerCount()).toBe(1);
      await on.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('sweeps', () => {
  it('share one sweep among concurrent calls', async () => {
    const backend = new MapBackend({ supports: { orderedIteration: true } });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 }, sweepInterval: 0 });
    await map.set('old', 'v', { ttl: 1 });
    await sleep(5);
    const scans = backend.calls.entries;
    const [first, second] = await Promise.all([map.sweep(), map.sweep()]);
    expect([first, second]).toEqual([1, 1]);
    expect(backend.calls.entries - scans).toBe(1);
    await map.close();
  });

  it('on a native-TTL backend drop from a full cache exactly the entries expired by then, and count one write', async () => {
    const backend = new MapBackend({ supports: { nativeTtl: true } });
    const map = await PersistentMap.open(backend, { sweepInterval: 0 });
    const now = 1_700_000_000_000;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now);
    try {
      await map.set('due', 1, { ttl: 10 });
      await map.set('later', 2, { ttl: 11 });
      await map.set('kept', 3);
      clock.mockReturnValue(now + 10);
      const writes = map.stats().backendWrites;
      expect(await map.sweep()).toBe(1);
      expect(map.stats().backendWrites - writes).toBe(1);
      expect(map.stats().cachedEntries).toBe(2);
      expect(await map.getMany(['due', 'later', 'kept'])).toEqual([undefined, 2, 3]);
    } finally {
      clock.mockRestore();
    }
    await map.close();
  });
});
