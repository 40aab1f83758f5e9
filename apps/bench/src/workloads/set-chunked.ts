/** Many-key set: the store is filled in chunks of 1,000 through its batch, apply or transaction. */
import type { Entry } from '../data.js';
import { Deadline, type Measurement, now, rate } from '../measure.js';
import type { Store } from '../subject.js';

export const chunkSize = 1000;

/** Fills `store`; returns the measurement and how many entries went in (fewer when the budget ran out). */
export async function setChunked(
  store: Store,
  entries: readonly Entry[],
  budgetMs: number,
): Promise<{ measurement: Omit<Measurement, 'subject'>; stored: number }> {
  const deadline = new Deadline(budgetMs);
  const started = now();
  let stored = 0;
  while (stored < entries.length) {
    const chunk = entries.slice(stored, stored + chunkSize);
    await store.setChunk(chunk);
    stored += chunk.length;
    if (deadline.passed()) break;
  }
  const elapsed = now() - started;
  return {
    measurement: {
      workload: 'set-chunk',
      value: rate(stored, elapsed),
      unit: 'ops/s',
      operations: stored,
      partial: stored < entries.length,
    },
    stored,
  };
}
