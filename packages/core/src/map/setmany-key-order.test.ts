/**
 * setMany takes its place in the queue of every key it writes: it never overtakes a write
 * of one of its keys that was called before it, even when the backend answers it first.
 */
import { describe, expect, it } from 'vitest';
import { latch, MapBackend, settle } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

describe.each([
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 10 }],
] as const)('setMany after a single set of the same key (%s cache)', (_, cache) => {
  it('reaches the backend after that set, so its value is the one that stays', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    const slowSet = latch();
    backend.hold = (operation) => (operation === 'set' ? slowSet.promise : undefined);
    const first = map.set('a', 1);
    await settle();
    const batch = map.setMany([
      ['a', 2],
      ['b', 2],
    ]);
    await settle();
    expect(backend.calls.apply).toBe(0); // waits for the set of a
    slowSet.release();
    await Promise.all([first, batch]);
    expect(backend.log).toEqual([
      ['a', '1'],
      ['a', '2'],
      ['b', '2'],
    ]);
    expect(await map.get('a')).toBe(2);
    await map.close();
  });
});
