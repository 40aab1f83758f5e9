/** 100,000 keys: written in chunks, counted, sampled, and iterated in full. */
import { expect } from 'vitest';
import { expectValue } from '../assertions.js';
import { lruLimits } from '../open-map.js';
import { seededRandom } from '../random.js';
import { baseModes, type KitCase, type SubjectOperation } from '../types.js';

const keyOf = (index: number) => `key:${index.toString(36).padStart(4, '0')}`;
const valueFor = (index: number) => `value ${index}`;

export const manyKeysCases: KitCase[] = [
  {
    name: '100,000 keys: size, a sample of values and a full iteration all agree',
    modes: baseModes,
    timeout: 300_000,
    async run(context) {
      const store = await context.open();
      const count = Math.max(1, Math.round(100_000 * context.scale));
      // Written in a shuffled order, so sorted engines cannot rely on appends.
      const order = Array.from({ length: count }, (_, index) => index);
      const random = seededRandom(100_000);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (let start = 0; start < count; start += 5000) {
        const chunk: SubjectOperation[] = order
          .slice(start, start + 5000)
          .map((index) => ({ type: 'set', key: keyOf(index), value: valueFor(index) }));
        await store.apply(chunk);
      }
      expect(await store.size()).toBe(count);
      for (let sample = 0; sample < 200; sample++) {
        const index = Math.floor(random() * count);
        expectValue(await store.get(keyOf(index)), valueFor(index), `sampled key ${keyOf(index)}`);
      }
      const seen = new Set<string>();
      for (const [key] of await store.entries()) seen.add(key);
      expect(seen.size, 'distinct keys yielded by a full iteration').toBe(count);
      expect(seen.has(keyOf(0)) && seen.has(keyOf(count - 1))).toBe(true);
      const keys = await store.keys();
      expect(keys.length, 'keys yielded by keys()').toBe(count);
      if (store.mode === 'map-lru') {
        // The small LRU cannot hold them all: the sample must have read through to the backend.
        const stats = store.map!.stats();
        expect(stats.misses, 'cache misses in LRU mode').toBeGreaterThan(0);
        expect(stats.cachedEntries, 'entries held by the LRU').toBeLessThanOrEqual(lruLimits.maxEntries);
      }
    },
  },
];
