import { describe, expect, it } from 'vitest';
import type { EncodedValue, WriteOptions } from '../contract/storage-backend.js';
import { BareBackend, codeOf, MapBackend } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

/** A backend whose set and apply throw synchronously instead of returning a rejected promise. */
class ThrowingBackend extends BareBackend {
  throwing = false;
  override set(key: string, value: EncodedValue): Promise<void> {
    if (this.throwing) throw new Error('set threw');
    return super.set(key, value);
  }
  apply(): Promise<void> {
    throw new Error('apply threw');
  }
}

describe('a batched set is the set the caller made', () => {
  it('hands the backend the expiry of every set, the first of the tick and the batched ones alike', async () => {
    const backend = new MapBackend({ supports: { nativeTtl: true } });
    const map = await PersistentMap.open<string, number>(backend, { sweepInterval: 0 });
    const before = Date.now();
    await Promise.all([
      map.set('direct', 1, { ttl: 60_000 }),
      map.set('batched', 2, { ttl: 60_000 }),
      map.set('forever', 3),
      map.set('also', 4, { ttl: 60_000 }),
    ]);
    expect(backend.calls.apply).toBe(1);
    for (const key of ['direct', 'batched', 'also']) {
      const expiresAt = backend.expiries.get(key);
      expect(expiresAt, key).toBeGreaterThanOrEqual(before + 60_000);
      expect(expiresAt, key).toBeLessThanOrEqual(Date.now() + 60_000);
    }
    expect(backend.expiries.has('forever')).toBe(false);
    await map.close();
  });

  it('sends a lone set that waited for the tick as a plain set, not an apply of one', async () => {
    const backend = new MapBackend({ supports: { nativeTtl: true } });
    const map = await PersistentMap.open<string, number>(backend, { sweepInterval: 0 });
    await Promise.all([map.set('a', 1), map.set('b', 2, { ttl: 60_000 })]);
    expect([backend.calls.set, backend.calls.apply]).toEqual([2, 0]);
    expect(backend.expiries.has('a')).toBe(false);
    expect(backend.expiries.get('b')).toBeGreaterThan(Date.now());
    expect([await map.get('a'), await map.get('b')]).toEqual([1, 2]);
    await map.close();
  });

  it('sends every set of a backend without apply on its own, and reads nothing back when one fails', async () => {
    class FailingBare extends BareBackend {
      override set(key: string, value: EncodedValue): Promise<void> {
        return key === 'k3' ? Promise.reject(new Error('EIO')) : super.set(key, value);
      }
    }
    const backend = new FailingBare();
    const map = await PersistentMap.open<string, number>(backend, { sweepInterval: 0 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, index) => map.set(`k${index}`, index)));
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(1);
    expect(backend.calls.set).toBe(9);
    expect(backend.data.size).toBe(9);
    // One set at a time is all or nothing: there is nothing uncertain to read back.
    expect(backend.calls.get).toBe(0);
    await map.close();
  });

  it('never calls apply for a tick that gathered no set', async () => {
    let applies = 0;
    class CountingBare extends BareBackend {
      async apply(): Promise<void> {
        applies++;
      }
    }
    const map = await PersistentMap.open<string, number>(new CountingBare(), { sweepInterval: 0 });
    for (let index = 0; index < 3; index++) await map.set(`k${index}`, index);
    expect(applies).toBe(0);
    await map.close();
  });

  it('turns a backend that throws synchronously into a rejected set with code IO, for the first set and a batch', async () => {
    const backend = new ThrowingBackend();
    const map = await PersistentMap.open<string, number>(backend, { sweepInterval: 0 });
    // apply throws: the batch is retried one set at a time, and those succeed.
    await Promise.all([map.set('a', 1), map.set('b', 2), map.set('c', 3)]);
    expect([...backend.data.keys()].sort()).toEqual(['a', 'b', 'c']);
    backend.throwing = true;
    const results = await Promise.all([map.set('a', 10), map.set('b', 20), map.set('c', 30)].map(codeOf));
    expect(results).toEqual(['IO', 'IO', 'IO']);
    expect(map.stats().errors).toBe(3);
    backend.throwing = false;
    expect([await map.get('a'), await map.get('b'), await map.get('c')]).toEqual([1, 2, 3]);
    await map.close();
  });

  it('reads nothing back after an atomic batch failed, since it wrote nothing', async () => {
    const backend = new MapBackend({ supports: { atomicBatch: true } });
    const map = await PersistentMap.open<string, number>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    await map.set('ok', 0);
    backend.failWith = (_operation, key) => (key === 'bad' ? new Error('EIO') : undefined);
    const results = await Promise.allSettled([map.set('x', 1), map.set('bad', 2), map.set('y', 3)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(backend.calls.get).toBe(0);
    await map.close();
  });

  it('reads nothing back when a lone set that waited for the tick fails, since a single set is all or nothing', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    backend.failWith = (operation, key) => (operation === 'set' && key === 'bad' ? new Error('EIO') : undefined);
    const results = await Promise.allSettled([map.set('a', 1), map.set('bad', 2)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect(backend.calls.get).toBe(0);
    await map.close();
  });

  it('passes the expiry in the options of a single set, and no options object without one', async () => {
    const seen: (WriteOptions | undefined)[] = [];
    class Recording extends BareBackend {
      override set(key: string, value: EncodedValue, options?: WriteOptions): Promise<void> {
        seen.push(options);
        return super.set(key, value);
      }
    }
    const map = await PersistentMap.open<string, number>(new Recording(), { sweepInterval: 0 });
    await map.set('a', 1);
    await map.set('b', 2, { ttl: 1000 });
    expect(seen[0]).toBeUndefined();
    expect(seen[1]?.expiresAt).toBeGreaterThan(Date.now());
    await map.close();
  });
});
