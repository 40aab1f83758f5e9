/** Full iteration: every entry, values included, in whatever order the store keeps. Median of rounds. */
import { Deadline, type Measurement, median, now, rate } from '../measure.js';
import type { Store } from '../subject.js';

export async function iterate(
  store: Store,
  expected: number,
  rounds: number,
  budgetMs: number,
): Promise<Omit<Measurement, 'subject'>> {
  const deadline = new Deadline(budgetMs);
  const rates: number[] = [];
  let partial = false;
  let wrong: string | undefined;
  for (let round = 0; round < rounds && (round === 0 || !deadline.passed()); round++) {
    const started = now();
    const count = await store.iterate(() => deadline.passed());
    rates.push(rate(count, now() - started));
    if (count < expected && deadline.passed()) partial = true;
    else if (count !== expected) wrong = `WRONG: iterated ${count} entries of ${expected}`;
  }
  const note = `median of ${rates.length} rounds${wrong ? `; ${wrong}` : ''}`;
  return { workload: 'iterate', value: median(rates), unit: 'ops/s', operations: expected, partial, note };
}
