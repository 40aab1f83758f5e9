import { describe, expect, it } from 'vitest';
import { latch, MapBackend, settle } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

/** A backend whose reads take their value at once, then answer when `gate` opens. */
function slowReads(data: [string, string][]) {
  const backend = new MapBackend({ data: new Map(data) });
  const gate = latch();
  const read = backend.get.bind(backend);
  backend.get = async (key) => {
    const value = await read(key);
    await gate.promise;
    return value;
  };
  return { backend, gate };
}

describe('LRU reads in flight', () => {
  it('share one backend read per key while several keys are being read at once', async () => {
    const { backend, gate } = slowReads([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 1 } });
    const gets = ['a', 'b', 'c', 'a', 'b', 'c', 'c'].map((key) => map.get(key));
    await settle();
    gate.release();
    expect(await Promise.all(gets)).toEqual([1, 2, 3, 1, 2, 3, 3]);
    expect(backend.calls.get).toBe(3);
    expect(map.stats()).toMatchObject({ misses: 7, backendReads: 3 });
    // Nothing is in flight any more: the next misses read again (the cache holds one entry).
    expect(await map.get('a')).toBe(1);
    expect(await map.get('b')).toBe(2);
    expect(backend.calls.get).toBe(5);
    await map.close();
  });

  it('never cache a read that a write overtook, whichever of several reads in flight it was', async () => {
    const { backend, gate } = slowReads([
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
    ]);
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    const reads = ['a', 'b', 'c'].map((key) => map.get(key));
    await settle();
    // The first key's read and a later one's are overtaken by writes.
    await map.set('a', 2);
    await map.set('c', 2);
    gate.release();
    expect(await Promise.all(reads)).toEqual([1, 1, 1]); // each was asked before its write finished
    const before = backend.calls.get;
    expect([await map.get('a'), await map.get('b'), await map.get('c')]).toEqual([2, 1, 2]);
    expect(backend.calls.get).toBe(before); // all three answered from the cache
    await map.close();
  });

  it('start a fresh read after a failed one, for the key that failed and for one read beside it', async () => {
    const backend = new MapBackend({
      data: new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    });
    let failing = true;
    backend.failWith = (operation, key) =>
      operation === 'get' && key === 'a' && failing ? new Error('disk') : undefined;
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 1 } });
    const [a, b] = [map.get('a'), map.get('b')];
    await expect(a).rejects.toMatchObject({ code: 'IO' });
    expect(await b).toBe(2);
    failing = false;
    expect(await map.get('a')).toBe(1);
    await map.close();
  });
});
