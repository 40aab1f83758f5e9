/**
 * stats().backendWrites and backendReads count the calls the map made to the backend, one
 * for one, whatever path a write takes: a set on a free key or behind another write of the
 * same key, delete, setMany, deleteMany, clear, and the read-back after a failed batch.
 */
import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import type { BatchOperation } from '../contract/storage-backend.js';
import { MapBackend } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

/** A non-atomic apply that writes in order and fails at `failAt`. */
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

const writes = (backend: MapBackend) =>
  backend.calls.set + backend.calls.delete + backend.calls.apply + backend.calls.clear;
const reads = (backend: MapBackend) => backend.calls.get + backend.calls.getMany + backend.calls.entries;

describe.each([
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 100 }],
] as const)('backend calls counted in stats (%s cache)', (_, cache) => {
  it('counts every write call once, whichever path the write took', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await Promise.all([map.set('a', 1), map.set('a', 2), map.set('b', 1)]); // the second set of a waits behind the first
    await map.delete('b');
    await map.setMany([
      ['c', 1],
      ['d', 1],
    ]);
    await map.deleteMany(['c', 'd']);
    await map.update('a', (value) => (value ?? 0) + 1);
    await map.clear();
    expect(writes(backend)).toBe(8);
    expect(map.stats().backendWrites).toBe(writes(backend));
    expect(map.stats().backendReads).toBe(reads(backend));
    await map.close();
  });

  it('counts the reads of a read-back after a failed non-atomic batch', async () => {
    const backend = new HalfwayBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    backend.failAt = 'b';
    await map
      .setMany([
        ['a', 1],
        ['b', 1],
      ])
      .catch(() => undefined);
    expect(backend.calls.get).toBe(2); // a and b read back
    expect(map.stats().backendReads).toBe(reads(backend));
    expect(map.stats().backendWrites).toBe(writes(backend));
    expect(map.stats().errors).toBe(1);
    await map.close();
  });
});
