import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compareKeys } from '../contract/keys.js';
import { collect, MapBackend } from '../test-backends.fixture.js';
import { firstKeys } from './map-store.js';
import { PersistentMap } from './persistent-map.js';

// A short ordered scan of the full cache selects its keys in one pass (map-store.ts firstKeys)
// instead of sorting the store: it must give exactly what the sort gave.
describe('short ordered scans of the full cache', () => {
  it('firstKeys picks what sorting every key and slicing picks', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 4 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.boolean(),
        fc.option(fc.string({ unit: 'binary', maxLength: 3 }), { nil: undefined }),
        (keys, limit, reverse, gte) => {
          const bounds = gte === undefined ? {} : { gte };
          const expected = keys.filter((key) => gte === undefined || compareKeys(key, gte) >= 0).sort(compareKeys);
          if (reverse) expected.reverse();
          expect(firstKeys(keys, bounds, limit, reverse)).toEqual(expected.slice(0, limit));
        },
      ),
    );
  });

  describe('through the map', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(1_700_000_000_000);
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('gives the same entries as a full scan cut at the limit, skipping expired keys, both directions', async () => {
      const map = await PersistentMap.open(new MapBackend({ supports: { orderedIteration: true } }), {
        sweepInterval: 0,
      });
      const keys = Array.from({ length: 300 }, (_, index) => `k${((index * 7919) % 1000).toString().padStart(3, '0')}`);
      await map.setMany(keys.map((key) => [key, key]));
      await map.set('k0005', 'soon gone', { ttl: 10 });
      vi.setSystemTime(1_700_000_000_100); // k0005 expired, not swept: the scan must skip it
      for (const reverse of [false, true]) {
        for (const range of [{}, { gte: 'k1' }, { gt: 'k005', lt: 'k700' }, { prefix: 'k00' }]) {
          const all = await collect(map.entries({ ...range, reverse }));
          for (const limit of [1, 5, 50]) {
            expect(await collect(map.entries({ ...range, reverse, limit }))).toEqual(all.slice(0, limit));
          }
        }
      }
      await map.close();
    });
  });
});
