/**
 * Concurrent set: many set() calls started at once, then all awaited. A store with group
 * commit shares one write call and one fsync among them; lmdb batches them into one commit.
 * Two pilot waves of 500 first: a store too slow to take the full wave within the time budget
 * gets a smaller one (noted), instead of stalling the run for minutes. Then up to three
 * rounds on one store, each with fresh keys while there are enough; median rate.
 */
import type { Entry } from '../data.js';
import { Deadline, type Measurement, median, now, rate } from '../measure.js';
import type { Store } from '../subject.js';

const pilotCalls = 500;

export async function concurrentSet(
  store: Store,
  entries: readonly Entry[],
  calls: number,
  budgetMs: number,
  rounds = 3,
): Promise<Omit<Measurement, 'subject'>> {
  const set = store.set?.bind(store);
  if (!set) throw new Error('concurrent set needs an async set');
  const wave = async (first: number, count: number) => {
    const slice = entries.slice(first, first + count);
    const started = now();
    await Promise.all(slice.map((entry) => set(entry)));
    return rate(slice.length, now() - started);
  };
  const wanted = Math.min(calls, entries.length);
  let count = wanted;
  let piloted = 0;
  if (wanted > pilotCalls) {
    // Two pilot waves, the faster counts: the first one also pays for warming up.
    const pilotRate = Math.max(await wave(0, pilotCalls), await wave(pilotCalls, pilotCalls));
    // One round may take half the budget; later rounds run only while budget is left.
    count = Math.max(pilotCalls, Math.min(wanted, Math.floor((pilotRate * budgetMs) / 2000)));
    piloted = 2 * pilotCalls;
  }
  const deadline = new Deadline(budgetMs);
  const rates: number[] = [];
  for (let round = 0; round < rounds && (round === 0 || !deadline.passed()); round++) {
    const first = (piloted + round * count) % Math.max(1, entries.length - count + 1);
    rates.push(await wave(first, count));
  }
  const scaled = count < wanted ? `, scaled down from ${wanted} to fit the budget` : '';
  return {
    workload: 'concurrent-set',
    value: median(rates),
    unit: 'ops/s',
    operations: count,
    partial: count < wanted,
    note: `${count} calls at once${scaled}, median of ${rates.length}`,
  };
}
