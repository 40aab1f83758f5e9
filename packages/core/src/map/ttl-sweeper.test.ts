import { describe, expect, it } from 'vitest';
import { MapBackend, sleep } from '../test-backends.fixture.js';
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
