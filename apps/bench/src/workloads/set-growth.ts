/**
 * Cost per write as the store grows (the csv target: per-write time at 100,000 keys at most
 * 1.3x that at 10,000). The store is filled in chunks to N/10 keys, then a window of
 * sequential sets of new keys is timed; filled on to N, another window is timed. Windows
 * rather than one long sequential run, so a slow-writing engine still reaches N.
 */
import type { Entry } from '../data.js';
import { Deadline, now } from '../measure.js';
import type { Growth } from '../results.js';
import type { Store } from '../subject.js';
import { chunkSize } from './set-chunked.js';

export async function setGrowth(store: Store, entries: readonly Entry[], budgetMs: number): Promise<Growth> {
  const total = entries.length;
  const window = Math.max(1, Math.min(1000, Math.floor(total / 20)));
  // Keys past the fill are the window's new keys: the first window ends at N/10, the second at N.
  const small = await windowAt(store, entries, 0, Math.floor(total / 10) - window, window, budgetMs);
  const large = await windowAt(store, entries, Math.floor(total / 10), total - window, window, budgetMs);
  return { small, large, ratio: large / small };
}

/** Fills entries [from, to) in chunks, then times sequential sets of [to, to + window); ms per write. */
async function windowAt(
  store: Store,
  entries: readonly Entry[],
  from: number,
  to: number,
  window: number,
  budgetMs: number,
): Promise<number> {
  for (let first = from; first < to; first += chunkSize)
    await store.setChunk(entries.slice(first, Math.min(first + chunkSize, to)));
  const deadline = new Deadline(budgetMs);
  const started = now();
  let done = 0;
  for (; done < window; done++) {
    const entry = entries[to + done] as Entry;
    if (store.setSync) store.setSync(entry);
    else await store.set?.(entry);
    if ((done & 15) === 15 && deadline.passed()) {
      done++;
      break;
    }
  }
  return (now() - started) / done;
}
