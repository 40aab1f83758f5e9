/**
 * Random gets, one at a time, of keys that exist or of keys that never did. After a warm-up
 * pass, several rounds each last at least `roundMs`; the figure is the median round, which
 * a noisy neighbour moves far less than a mean. Every answer is checked (found or not), so
 * a store that loses data cannot post a fast figure unnoticed.
 */
import { Deadline, type Measurement, median, now, rate } from '../measure.js';
import type { Store } from '../subject.js';

export interface GetOptions {
  readonly rounds: number;
  readonly roundMs: number;
  readonly budgetMs: number;
}

export async function randomGet(
  store: Store,
  workload: 'get-existing' | 'get-missing',
  keys: readonly string[],
  options: GetOptions,
): Promise<Omit<Measurement, 'subject'>> {
  const deadline = new Deadline(options.budgetMs);
  const warmUp = await pass(store, keys, deadline); // JIT, caches, first page faults
  let wrong = wrongAnswers(workload, warmUp);
  const rates: number[] = [];
  let partial = false;
  for (let round = 0; round < options.rounds && (round === 0 || !deadline.passed()); round++) {
    const result = await timedRound(store, keys, options.roundMs, deadline);
    rates.push(result.rate);
    wrong += result.wrong[workload];
    if (result.partial) partial = true;
  }
  const note = `median of ${rates.length} rounds${wrong > 0 ? `; WRONG: ${wrong} answers disagreed with the data` : ''}`;
  return { workload, value: median(rates), unit: 'ops/s', operations: keys.length, partial, note };
}

export interface RoundResult {
  readonly rate: number;
  /** Answers that disagreed with the data, counted both ways (for existing and for missing keys). */
  readonly wrong: { readonly 'get-existing': number; readonly 'get-missing': number };
  readonly partial: boolean;
}

/** Passes over `keys` until at least `roundMs` went by; the rate of gets in that time. */
export async function timedRound(
  store: Store,
  keys: readonly string[],
  roundMs: number,
  deadline: Deadline,
): Promise<RoundResult> {
  const started = now();
  let read = 0;
  let found = 0;
  let partial = false;
  do {
    const result = await pass(store, keys, deadline);
    read += result.read;
    found += result.found;
    if (result.read < keys.length) partial = true;
  } while (now() - started < roundMs && !deadline.passed());
  return { rate: rate(read, now() - started), wrong: { 'get-existing': read - found, 'get-missing': found }, partial };
}

export interface PassResult {
  readonly read: number;
  readonly found: number;
}

function wrongAnswers(workload: 'get-existing' | 'get-missing', result: PassResult): number {
  return workload === 'get-existing' ? result.read - result.found : result.found;
}

/** One pass over `keys`, stopping early at the deadline. */
export async function pass(store: Store, keys: readonly string[], deadline: Deadline): Promise<PassResult> {
  let found = 0;
  let i = 0;
  const getSync = store.getSync?.bind(store);
  const get = store.get?.bind(store);
  if (getSync) {
    for (; i < keys.length; i++) {
      if (getSync(keys[i] as string) !== undefined) found++;
      if ((i & 255) === 255 && deadline.passed()) return { read: i + 1, found };
    }
  } else if (get) {
    for (; i < keys.length; i++) {
      if ((await get(keys[i] as string)) !== undefined) found++;
      if ((i & 255) === 255 && deadline.passed()) return { read: i + 1, found };
    }
  } else {
    throw new Error('the store offers no get');
  }
  return { read: i, found };
}
