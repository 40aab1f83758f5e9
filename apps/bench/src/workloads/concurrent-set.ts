/**
 * Concurrent set: many set() calls started at once, then all awaited. A store with group
 * commit shares one write call and one fsync among them; lmdb batches them into one commit.
 * Three rounds on one store, each with fresh keys while there are enough, median rate.
 */
import type { Entry } from '../data.js';
import { type Measurement, median, now, rate } from '../measure.js';
import type { Store } from '../subject.js';

export async function concurrentSet(
  store: Store,
  entries: readonly Entry[],
  calls: number,
  rounds = 3,
): Promise<Omit<Measurement, 'subject'>> {
  const set = store.set?.bind(store);
  if (!set) throw new Error('concurrent set needs an async set');
  const count = Math.min(calls, entries.length);
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = (round * count) % Math.max(1, entries.length - count + 1);
    const slice = entries.slice(first, first + count);
    const started = now();
    await Promise.all(slice.map((entry) => set(entry)));
    rates.push(rate(slice.length, now() - started));
  }
  return {
    workload: 'concurrent-set',
    value: median(rates),
    unit: 'ops/s',
    operations: count,
    note: `${count} calls at once, median of ${rounds}`,
  };
}
