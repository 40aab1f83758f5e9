/**
 * When the backend fails underneath the map: a read that throws instead of rejecting, a
 * read-back (reconcile) that fails too after a half-written batch, and batched sets of a
 * non-atomic backend whose batch and retries fail. Every caller gets a rejection with a
 * code, and the cache never keeps a value the backend may no longer hold.
 */
import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import type { BatchOperation, EncodedValue } from '../contract/storage-backend.js';
import { BareBackend, codeOf, MapBackend, sleep } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

/** A bare backend whose get throws synchronously, as a careless engine might. */
class ThrowingReads extends BareBackend {
  failing = true;
  override get(key: string): Promise<EncodedValue | undefined> {
    if (this.failing) throw new Error('EIO: sync read failure');
    return super.get(key);
  }
}

/** A non-atomic apply that writes in order and fails at `failAt` (earlier operations stay written). */
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

/** What `promise` settled to within `ms`: its rejection code, 'resolved', or 'pending'. */
async function outcomeWithin(promise: Promise<unknown>, ms: number): Promise<string> {
  const settled = codeOf(promise).then((code) => code ?? 'resolved');
  return Promise.race([settled, sleep(ms).then(() => 'pending')]);
}

describe('a backend read that fails', () => {
  it('turns a get that throws synchronously into a rejected read with code IO, and reads again later', async () => {
    const backend = new ThrowingReads(new Map([['a', '"a"']]));
    const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    expect(await codeOf(map.get('a'))).toBe('IO');
    expect(map.stats().errors).toBe(1);
    backend.failing = false;
    expect(await map.get('a')).toBe('a');
    await map.close();
  });

  it('drops a key from the LRU cache when reading it back after a failed non-atomic batch fails too', async () => {
    const backend = new HalfwayBackend();
    const map = await PersistentMap.open<string, number>(backend, {
      cache: { mode: 'lru', maxEntries: 10 },
      sweepInterval: 0,
    });
    await map.setMany([
      ['a', 0],
      ['b', 0],
    ]);
    expect(await map.get('a')).toBe(0); // cached
    backend.failAt = 'b';
    backend.failWith = (operation) => (operation === 'get' ? new Error('EIO: read-back failed') : undefined);
    expect(
      await codeOf(
        map.setMany([
          ['a', 1],
          ['b', 1],
        ]),
      ),
    ).toBe('IO');
    backend.failAt = undefined;
    backend.failWith = undefined;
    // The backend holds a = 1: the cache must not answer the old 0.
    expect(await map.get('a')).toBe(1);
    expect(await map.get('b')).toBe(0);
    await map.close();
  });
});

describe('batched sets on a non-atomic backend whose batch fails', () => {
  it('settles every set (failing ones with IO) and leaves the cache as the backend is', async () => {
    const backend = new HalfwayBackend();
    const map = await PersistentMap.open<string, number>(backend, {
      cache: { mode: 'lru', maxEntries: 10 },
      sweepInterval: 0,
    });
    await map.setMany([
      ['first', 0],
      ['a', 0],
      ['b', 0],
    ]);
    expect(await map.getMany(['a', 'b'])).toEqual([0, 0]);
    // The first set of the tick goes alone; `a` and `b` are batched, and the batch fails at b
    // after writing a. Their retries one by one fail too, so each is read back before it fails.
    backend.failAt = 'b';
    backend.failWith = (operation, key) => (operation === 'set' && key !== 'first' ? new Error('EIO') : undefined);
    const first = map.set('first', 1);
    const a = map.set('a', 1);
    const b = map.set('b', 1);
    expect(await outcomeWithin(first, 2000)).toBe('resolved');
    expect(await outcomeWithin(a, 2000)).toBe('IO');
    expect(await outcomeWithin(b, 2000)).toBe('IO');
    backend.failAt = undefined;
    backend.failWith = undefined;
    // The failed batch wrote a = 1 before failing: the read-back shows it; b kept 0.
    expect(backend.data.get('a')).toBe('1');
    expect(await map.getMany(['first', 'a', 'b'])).toEqual([1, 1, 0]);
    await map.close();
  });
});
