/**
 * The issue 2 target, measured with care: PersistentMap on the memory engine (full cache,
 * so every get is a cache hit) against a Map behind an async function and a plain Map, all
 * three filled with the same keys and read in alternating rounds, so a noisy neighbour
 * slows all of them alike. The figures are the medians of each one's rounds.
 */
import { type Entry, randomIndexes } from './data.js';
import { Deadline, median } from './measure.js';
import type { BenchOptions } from './options.js';
import type { CacheHitFigures, Extra } from './results.js';
import type { Store, Subject } from './subject.js';
import { awaitedMap } from './subjects/awaited-map.js';
import { memoryMapFull } from './subjects/memory-engine.js';
import { plainMap } from './subjects/plain-map.js';
import type { TempDirs } from './temp-dirs.js';
import { pass, timedRound } from './workloads/random-get.js';
import { setChunked } from './workloads/set-chunked.js';

export async function measureCacheHit(
  entries: readonly Entry[],
  options: BenchOptions,
  temp: TempDirs,
): Promise<Extra<CacheHitFigures>> {
  const subjects: Subject[] = [memoryMapFull, awaitedMap, plainMap];
  const stores: Store[] = [];
  try {
    for (const subject of subjects) {
      const opener = await subject.prepare();
      if (!opener.available) return { skipped: `${subject.label}: ${opener.reason}` };
      const store = await opener.open(temp.root);
      stores.push(store);
      await setChunked(store, entries, Number.POSITIVE_INFINITY);
    }
    const keys = Array.from(
      randomIndexes(Math.min(entries.length, 50_000), entries.length, 13),
      (index) => (entries[index] as Entry).key,
    );
    const noLimit = new Deadline(Number.POSITIVE_INFINITY);
    for (const store of stores) await pass(store, keys, noLimit);
    const rounds = options.rounds * 2 + 1;
    const rates: number[][] = stores.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [index, store] of stores.entries()) {
        const result = await timedRound(store, keys, options.roundMs, noLimit);
        if (result.wrong['get-existing'] > 0)
          throw new Error(`${subjects[index]?.label} lost ${result.wrong['get-existing']} keys`);
        rates[index]?.push(result.rate);
      }
    }
    const [persistentMap, awaited, plain] = rates.map((list) => median(list));
    const [bestPersistentMap, bestAwaited] = rates.map((list) => Math.max(...list));
    return {
      figures: {
        persistentMap: persistentMap ?? 0,
        awaitedMap: awaited ?? 0,
        plainMap: plain ?? 0,
        rounds,
        bestPersistentMap: bestPersistentMap ?? 0,
        bestAwaitedMap: bestAwaited ?? 0,
      },
    };
  } catch (error) {
    return { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    for (const store of stores) await store.close();
  }
}
