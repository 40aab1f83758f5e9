import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import type { BatchOperation, EncodedValue } from '../contract/storage-backend.js';
import { codeOf, latch, MapBackend, type Operation, settle } from '../test-backends.fixture.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

/** A non-atomic apply: writes operations in order and fails at `failAt`, leaving the earlier ones written. */
class HalfwayBackend extends MapBackend {
  failAt: string | undefined;
  protected override async _apply(operations: readonly BatchOperation[]): Promise<void> {
    this.calls.apply++;
    for (const operation of operations) {
      if (operation.key === this.failAt) throw new StowageError('IO', `disk full at ${operation.key}`);
      this.write(operation.key, operation.type === 'set' ? operation.value : undefined);
    }
  }
}

/** Reads the data at once and answers only when `lag` lets it: a read that returns an old value late. */
class LaggingBackend extends MapBackend {
  lag: Promise<void> | undefined;
  protected override async _get(key: string): Promise<EncodedValue | undefined> {
    const value = this.data.get(key);
    await this.lag;
    return value;
  }
  protected override async _getMany(keys: readonly string[]): Promise<(EncodedValue | undefined)[]> {
    this.calls.getMany++;
    const values = keys.map((key) => this.data.get(key));
    await this.lag;
    return values;
  }
}

/** Holds every call of `operation` until the test releases it, in call order. */
function holdEach(backend: MapBackend, operation: Operation) {
  const held: (() => void)[] = [];
  backend.hold = (called) => {
    if (called !== operation) return undefined;
    const gate = latch();
    held.push(gate.release);
    return gate.promise;
  };
  return held;
}

const lru: CacheOptions = { mode: 'lru', maxEntries: 1 };
const modes: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 10 }],
];

describe('an LRU miss reads the backend each time, never an old read', () => {
  it('reads a key again after it left the cache, and sees what the backend holds now', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, string>(backend, { cache: lru });
    backend.data.set('a', '"old"');
    backend.data.set('b', '"b"');
    expect(await map.get('a')).toBe('old');
    expect(await map.get('b')).toBe('b'); // evicts a
    backend.data.set('a', '"new"');
    expect(await map.get('a')).toBe('new');
    expect(backend.calls.get).toBe(3);
    await map.close();
  });

  it('shares one backend read between concurrent misses of a key', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, string>(backend, { cache: lru });
    backend.data.set('a', '"a"');
    expect(await Promise.all([map.get('a'), map.get('a'), map.get('a')])).toEqual(['a', 'a', 'a']);
    expect(backend.calls.get).toBe(1);
    await map.close();
  });

  it('reports a failed backend read as IO, counts it, and reads again on the next miss', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, string>(backend, { cache: lru });
    backend.data.set('a', '"a"');
    backend.failWith = (operation) => (operation === 'get' ? new Error('EIO: read failed') : undefined);
    const failed = map.get('a');
    expect(await codeOf(failed)).toBe('IO');
    await expect(map.get('a')).rejects.toThrow('EIO: read failed');
    expect(map.stats().errors).toBe(2);
    backend.failWith = undefined;
    expect(await map.get('a')).toBe('a');
    expect(backend.calls.get).toBe(3);
    await map.close();
  });

  it('reports a failed getMany read as IO and reads again afterwards', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    backend.data.set('a', '"a"');
    backend.data.set('b', '"b"');
    backend.failWith = (operation) => (operation === 'getMany' ? new Error('EIO') : undefined);
    expect(await codeOf(map.getMany(['a', 'b']))).toBe('IO');
    backend.failWith = undefined;
    expect(await map.getMany(['a', 'b'])).toEqual(['a', 'b']);
    expect(backend.calls.getMany).toBe(2);
    await map.close();
  });
});

describe('clear against reads in flight', () => {
  it('keeps a read that started before a clear out of the cache', async () => {
    const backend = new LaggingBackend();
    const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    backend.data.set('a', '"a"');
    const lag = latch();
    backend.lag = lag.promise;
    const reading = map.get('a');
    await settle();
    await map.clear();
    lag.release();
    // The read itself answers what it found; the cache must not keep it.
    expect(await reading).toBe('a');
    backend.lag = undefined;
    expect(await map.get('a')).toBeUndefined();
    expect(await map.has('a')).toBe(false);
    await map.close();
  });

  it('keeps a getMany that started before a clear out of the cache', async () => {
    const backend = new LaggingBackend();
    const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    backend.data.set('a', '"a"');
    backend.data.set('b', '"b"');
    const lag = latch();
    backend.lag = lag.promise;
    const reading = map.getMany(['a', 'b']);
    await settle();
    await map.clear();
    lag.release();
    expect(await reading).toEqual(['a', 'b']);
    backend.lag = undefined;
    expect(await map.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    await map.close();
  });

  it('keeps a read that a write overtook out of the cache', async () => {
    const backend = new LaggingBackend();
    const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    backend.data.set('a', '"old"');
    const lag = latch();
    backend.lag = lag.promise;
    const reading = map.get('a');
    await settle();
    await map.set('a', 'new');
    lag.release();
    expect(await reading).toBe('old');
    backend.lag = undefined;
    expect(await map.get('a')).toBe('new');
    await map.close();
  });
});

describe.each(modes)('clear as a barrier (%s cache)', (_, cache) => {
  it('makes a setMany called during a clear wait for it, so its entries stay', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.set('old', 0);
    const clears = holdEach(backend, 'clear');
    const clearing = map.clear();
    await settle();
    const writing = map.setMany([
      ['a', 1],
      ['b', 2],
    ]);
    const deleting = map.deleteMany(['old']);
    await settle();
    expect(backend.data.has('a')).toBe(false);
    clears[0]!();
    await Promise.all([clearing, writing, deleting]);
    expect(await map.getMany(['old', 'a', 'b'])).toEqual([undefined, 1, 2]);
    expect([...backend.data.keys()].sort()).toEqual(['a', 'b']);
    await map.close();
  });

  it('orders two overlapping clears, and a write called during the second waits for it', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.set('x', 0);
    const clears = holdEach(backend, 'clear');
    const first = map.clear();
    await settle();
    const between = map.set('between', 1); // after the first clear, before the second: the second removes it
    const second = map.clear();
    await settle();
    clears[0]!();
    await first;
    await settle();
    await settle();
    // The second clear has not finished: a write now must still wait for it.
    const late = map.set('late', 2);
    await settle();
    expect(backend.data.has('late')).toBe(false);
    clears[1]!();
    await Promise.all([between, second, late]);
    expect(backend.calls.clear).toBe(2);
    expect(await map.getMany(['x', 'between', 'late'])).toEqual([undefined, undefined, 2]);
    expect([...backend.data.keys()]).toEqual(['late']);
    await map.close();
  });

  it('leaves the cache as the backend is when a clear fails part way', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.setMany([
      ['a', 1],
      ['b', 2],
    ]);
    backend.failWith = (operation) => (operation === 'clear' ? new Error('EIO') : undefined);
    // The backend deletes `a` behind the map's back and then the clear fails.
    backend.data.delete('a');
    expect(await codeOf(map.clear())).toBe('IO');
    backend.failWith = undefined;
    expect(await map.getMany(['a', 'b'])).toEqual([undefined, 2]);
    expect(await map.size()).toBe(1);
    await map.close();
  });
});

describe.each(modes)('a non-atomic batch that fails half way (%s cache)', (_, cache) => {
  it('reads back what a failed setMany wrote, so the cache shows it', async () => {
    const backend = new HalfwayBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.setMany([
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]);
    backend.failAt = 'c';
    expect(
      await codeOf(
        map.setMany([
          ['a', 1],
          ['b', 1],
          ['c', 1],
        ]),
      ),
    ).toBe('IO');
    backend.failAt = undefined;
    expect(await map.getMany(['a', 'b', 'c'])).toEqual([1, 1, 0]);
    expect(await collectEntries(map)).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 0],
    ]);
    await map.close();
  });

  it('reads back what a failed deleteMany deleted', async () => {
    const backend = new HalfwayBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.setMany([
      ['a', 0],
      ['b', 0],
    ]);
    backend.failAt = 'b';
    expect(await codeOf(map.deleteMany(['a', 'b']))).toBe('IO');
    backend.failAt = undefined;
    expect(await map.getMany(['a', 'b'])).toEqual([undefined, 0]);
    expect(await map.has('a')).toBe(false);
    await map.close();
  });

  it('does not read back after a failed batch of an atomic backend', async () => {
    const backend = new MapBackend({ supports: { atomicBatch: true } });
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    backend.failWith = (_operation, key) => (key === 'b' ? new Error('EIO') : undefined);
    const reads = backend.calls.get;
    expect(
      await codeOf(
        map.setMany([
          ['a', 1],
          ['b', 1],
        ]),
      ),
    ).toBe('IO');
    expect(backend.calls.get).toBe(reads);
    backend.failWith = undefined;
    expect(await map.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    await map.close();
  });
});

async function collectEntries(map: PersistentMap<string, number>): Promise<[string, number][]> {
  const entries: [string, number][] = [];
  for await (const entry of map.entries()) entries.push(entry);
  return entries.sort(([a], [b]) => (a < b ? -1 : 1));
}
