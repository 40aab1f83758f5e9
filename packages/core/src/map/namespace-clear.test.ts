/**
 * A namespace's clear touches only its own keys, also in what the map remembers about
 * them: the expiries the full cache tracks, and what it reads back after a failed clear.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EncodedValue, RangeOptions } from '../contract/storage-backend.js';
import { codeOf, latch, MapBackend, settle } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

const START = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Records the range of every scan the map asks for. */
class ScanRecorder extends MapBackend {
  readonly scans: RangeOptions[] = [];
  protected override _entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    this.scans.push(range);
    return super._entries(range);
  }
}

/** Reads the data at once and answers only when `lag` lets it: a read that returns an old value late. */
class LaggingBackend extends MapBackend {
  lag: Promise<void> | undefined;
  protected override async _get(key: string): Promise<EncodedValue | undefined> {
    this.calls.get++;
    const value = this.data.get(key);
    await this.lag;
    return value;
  }
}

describe('clear of a namespace (full cache)', () => {
  it('forgets the expiries of its own keys and keeps those of every other key', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { sweepInterval: 0 });
    const ns = map.namespace('ns:');
    await ns.set('inside', 1, { ttl: 1000 });
    // Ends with the prefix, outside it: a clear that matched keys by their end would take it.
    await map.set('other:ns:', 2, { ttl: 1000 });
    await map.set('root', 3, { ttl: 1000 });
    await ns.clear();
    vi.setSystemTime(START + 1000);
    // The two expired keys outside the namespace are neither counted nor kept by the sweep.
    expect(await map.size()).toBe(0);
    expect(await map.sweep()).toBe(2);
    expect(map.stats().expired).toBe(2);
    expect([...backend.data.keys()]).toEqual([]);
    await map.close();
  });

  it('does not sweep or count again a key the clear already removed', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { sweepInterval: 0 });
    const ns = map.namespace('ns:');
    await ns.set('inside', 1, { ttl: 1000 });
    await ns.clear();
    const deletes = backend.calls.delete;
    vi.setSystemTime(START + 1000);
    expect(await map.sweep()).toBe(0);
    expect(map.stats().expired).toBe(0);
    expect(backend.calls.delete).toBe(deletes);
    await map.close();
  });

  it('reads back only its own keys after its clear failed, and shows what the backend kept', async () => {
    const backend = new ScanRecorder({ supports: { orderedIteration: true } });
    const map = await PersistentMap.open<string, number>(backend, { sweepInterval: 0 });
    const ns = map.namespace('ns:');
    await ns.setMany([
      ['a', 1],
      ['b', 2],
    ]);
    await map.set('outside', 3);
    backend.failWith = (operation) => (operation === 'clear' ? new Error('EIO') : undefined);
    backend.data.delete('ns:a'); // the clear got this far before failing
    backend.scans.length = 0;
    expect(await codeOf(ns.clear())).toBe('IO');
    backend.failWith = undefined;
    expect(backend.scans).toEqual([{ prefix: 'ns:' }]);
    expect(await ns.getMany(['a', 'b'])).toEqual([undefined, 2]);
    expect(await map.get('outside')).toBe(3);
    await map.close();
  });
});

describe('errors of a closed map', () => {
  it('come from @stowage/core with code STORE_CLOSED', async () => {
    const map = await PersistentMap.open(new MapBackend(), { sweepInterval: 0 });
    await map.close();
    const error = await map.get('a').then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: 'STORE_CLOSED', origin: '@stowage/core' });
  });
});

describe('clear of a namespace (lru cache)', () => {
  it('keeps a read of a key outside it that was in flight, so the key stays cached', async () => {
    const backend = new MapBackend();
    backend.data.set('outside', '1');
    const map = await PersistentMap.open<string, number>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    const slowRead = latch();
    backend.hold = (operation) => (operation === 'get' ? slowRead.promise : undefined);
    const reading = map.get('outside');
    await settle();
    await map.namespace('ns:').clear();
    slowRead.release();
    expect(await reading).toBe(1);
    expect(await map.get('outside')).toBe(1);
    expect(backend.calls.get).toBe(1);
    await map.close();
  });

  it('keeps a read of one of its keys that was in flight out of the cache', async () => {
    const backend = new LaggingBackend();
    backend.data.set('ns:a', '1');
    const map = await PersistentMap.open<string, number>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    const ns = map.namespace('ns:');
    const lag = latch();
    backend.lag = lag.promise;
    const reading = ns.get('a');
    await settle();
    await ns.clear();
    lag.release();
    expect(await reading).toBe(1); // the read answers what it found; the cache must not keep it
    backend.lag = undefined;
    expect(await ns.get('a')).toBeUndefined();
    expect(backend.calls.get).toBe(2);
    await map.close();
  });

  it('forgets its cached keys after a failed clear without scanning the store, and reads them again', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    const ns = map.namespace('ns:');
    await ns.setMany([
      ['a', 1],
      ['b', 2],
    ]);
    await map.set('outside', 3);
    backend.failWith = (operation) => (operation === 'clear' ? new Error('EIO') : undefined);
    backend.data.delete('ns:a'); // the clear got this far before failing
    expect(await codeOf(ns.clear())).toBe('IO');
    backend.failWith = undefined;
    expect(backend.calls.entries).toBe(0);
    expect(await ns.getMany(['a', 'b'])).toEqual([undefined, 2]);
    expect(backend.calls.getMany).toBe(1);
    expect(await map.get('outside')).toBe(3);
    expect(backend.calls.get).toBe(0);
    await map.close();
  });
});
