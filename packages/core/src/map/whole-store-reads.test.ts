/**
 * size() and iteration: a full cache answers them without the backend (its open read
 * everything), a limit of 0 yields nothing in every mode, and the scan of an LRU map's
 * size over the whole map asks the backend for no range.
 */
import { describe, expect, it } from 'vitest';
import type { EncodedValue, RangeOptions } from '../contract/storage-backend.js';
import { collect, MapBackend } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

/** Records the range of every scan. */
class ScanRecorder extends MapBackend {
  readonly scans: RangeOptions[] = [];
  protected override _entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    this.scans.push(range);
    return super._entries(range);
  }
}

describe.each([
  ['ordered', true],
  ['unordered', false],
])('a full cache over an %s backend', (_, orderedIteration) => {
  it('counts and iterates without calling the backend after open', async () => {
    const backend = new MapBackend({ supports: { orderedIteration } });
    const map = await PersistentMap.open<string, number>(backend, { sweepInterval: 0 });
    await map.setMany([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const scansAtOpen = backend.calls.entries;
    expect(await map.size()).toBe(3);
    expect(await map.namespace('b').size()).toBe(1);
    expect((await collect(map.keys())).sort()).toEqual(['a', 'b', 'c']);
    expect(await collect(map.entries({ limit: 2 }))).toHaveLength(2);
    expect(backend.calls.entries).toBe(scansAtOpen);
    expect(map.stats().backendReads).toBe(1);
    await map.close();
  });
});

describe.each([
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 10 }],
] as const)('a limit of 0 (%s cache)', (_, cache) => {
  it('yields no entry, key or value', async () => {
    const map = await PersistentMap.open<string, number>(new MapBackend({ supports: { orderedIteration: true } }), {
      cache,
      sweepInterval: 0,
    });
    await map.setMany([
      ['a', 1],
      ['b', 2],
    ]);
    expect(await collect(map.entries({ limit: 0 }))).toEqual([]);
    expect(await collect(map.keys({ limit: 0 }))).toEqual([]);
    expect(await collect(map.values({ limit: 0 }))).toEqual([]);
    await map.close();
  });
});

describe('size of an LRU map', () => {
  it('scans the whole map with no range, and a namespace with its prefix', async () => {
    const backend = new ScanRecorder();
    const map = await PersistentMap.open<string, number>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    await map.set('ns:a', 1);
    await map.set('b', 2);
    expect(await map.size()).toBe(2);
    expect(await map.namespace('ns:').size()).toBe(1);
    expect(backend.scans).toEqual([{}, { prefix: 'ns:' }]);
    await map.close();
  });
});
