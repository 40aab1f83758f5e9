import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import type { BatchOperation, EncodedValue } from '../contract/storage-backend.js';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
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

async function backendHolds(backend: MapBackend): Promise<Map<string, EncodedValue>> {
  return new Map([...backend.data].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('same-tick batching of map sets', () => {
  it('hands concurrent sets to the backend as one apply after the first, and every caller sees its own write', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { sweepInterval: 0 });
    await Promise.all(Array.from({ length: 100 }, (_, index) => map.set(`k${index}`, index)));
    expect([backend.calls.set, backend.calls.apply]).toEqual([1, 1]);
    expect(backend.data.size).toBe(100);
    expect(await map.get('k42')).toBe(42);
    await map.close();
  });

  it('sends a sequential writer straight to set, one call per write', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { sweepInterval: 0 });
    for (let index = 0; index < 5; index++) await map.set(`k${index}`, index);
    expect([backend.calls.set, backend.calls.apply]).toEqual([5, 0]);
    await map.close();
  });

  it('fails only the write that would fail alone when an atomic batch is refused', async () => {
    const backend = new MapBackend({ supports: { atomicBatch: true, maxValueBytes: 10 } });
    const map = await PersistentMap.open(backend, { sweepInterval: 0 });
    const results = await Promise.allSettled([
      map.set('first', 1),
      map.set('small', 2),
      map.set('huge', 'x'.repeat(50)),
      map.set('other', 3),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await codeOf(Promise.reject((results[2] as PromiseRejectedResult).reason))).toBe('INVALID_VALUE');
    expect([...(await backendHolds(backend)).keys()]).toEqual(['first', 'other', 'small']);
    expect(await map.get('huge')).toBeUndefined();
    await map.close();
  });

  it('keeps cache and backend in agreement when a non-atomic batch fails half way and a retry fails too', async () => {
    const backend = new HalfwayBackend({ supports: { atomicBatch: false } });
    const map = await PersistentMap.open(backend, { sweepInterval: 0 });
    await map.set('b', 'old');
    backend.failAt = 'c';
    // `b` is written by the failed apply, then its own retry fails: the map must read it back.
    backend.failWith = (operation, key) => (operation === 'set' && key === 'b' ? new Error('EIO') : undefined);
    const results = await Promise.allSettled([map.set('a', 1), map.set('b', 'new'), map.set('c', 3), map.set('d', 4)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    backend.failWith = undefined;
    backend.failAt = undefined;
    for (const key of ['a', 'b', 'c', 'd']) {
      const stored = backend.data.get(key);
      expect(await map.get(key)).toEqual(stored === undefined ? undefined : JSON.parse(stored as string));
    }
    expect(await map.get('b')).toBe('new'); // the half-done apply wrote it, and the cache says so
    await map.close();
  });
});
