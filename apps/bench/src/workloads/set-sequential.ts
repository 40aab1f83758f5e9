/** Sequential set: one write at a time, each awaited before the next, into an empty store. */
import type { Entry } from '../data.js';
import { Deadline, type Measurement, now, rate } from '../measure.js';
import type { Store } from '../subject.js';

export async function setSequential(
  store: Store,
  entries: readonly Entry[],
  budgetMs: number,
): Promise<Omit<Measurement, 'subject'>> {
  const total = entries.length;
  const deadline = new Deadline(budgetMs);
  const setSync = store.setSync?.bind(store);
  const set = store.set?.bind(store);
  if (!setSync && !set) throw new Error('the store offers no set');
  const started = now();
  let done = 0;
  for (; done < total; done++) {
    const entry = entries[done] as Entry;
    if (setSync) setSync(entry);
    else await set?.(entry);
    if ((done & 63) === 63 && deadline.passed()) {
      done++;
      break;
    }
  }
  return {
    workload: 'set-seq',
    value: rate(done, now() - started),
    unit: 'ops/s',
    operations: done,
    partial: done < total,
  };
}
