/**
 * Cost per write as the store grows (the csv target: per-write time at 100,000 keys at most
 * 1.3x that at 10,000). Two stores of one subject, one filled in chunks to just under N/10
 * keys and one to just under N; then windows of sequential sets of new keys alternate
 * between them, so a disk whose fsync latency drifts over seconds slows both alike. Each
 * side's figure is the median of its windows, in ms per write.
 */
import type { Entry } from '../data.js';
import { Deadline, median, now } from '../measure.js';
import type { Growth } from '../results.js';
import type { Store } from '../subject.js';
import { chunkSize } from './set-chunked.js';

const windows = 5;

export async function setGrowth(
  small: Store,
  large: Store,
  entries: readonly Entry[],
  budgetMs: number,
): Promise<Growth> {
  const total = entries.length;
  const window = Math.max(1, Math.min(200, Math.floor(total / 100)));
  const smallStart = Math.max(0, Math.floor(total / 10) - windows * window);
  const largeStart = total - windows * window;
  await fill(small, entries, smallStart);
  await fill(large, entries, largeStart);
  const deadline = new Deadline(budgetMs);
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  for (let round = 0; round < windows && (round === 0 || !deadline.passed()); round++) {
    smallTimes.push(await timeWindow(small, entries, smallStart + round * window, window));
    largeTimes.push(await timeWindow(large, entries, largeStart + round * window, window));
  }
  const smallMs = median(smallTimes);
  const largeMs = median(largeTimes);
  return { small: smallMs, large: largeMs, ratio: largeMs / smallMs };
}

async function fill(store: Store, entries: readonly Entry[], count: number): Promise<void> {
  for (let first = 0; first < count; first += chunkSize) {
    await store.setChunk(entries.slice(first, Math.min(first + chunkSize, count)));
  }
}

/** Sequential sets of entries [first, first + count); ms per write. */
async function timeWindow(store: Store, entries: readonly Entry[], first: number, count: number): Promise<number> {
  const started = now();
  for (let i = first; i < first + count; i++) {
    const entry = entries[i] as Entry;
    if (store.setSync) store.setSync(entry);
    else await store.set?.(entry);
  }
  return (now() - started) / count;
}
