/** The child side of ./cache-hit.ts: fills the three stores and reads them in alternating rounds. */

import type { CacheHitRequest } from './cache-hit.js';
import { answer, childArgument } from './child-process.js';
import { type Entry, keyOf, makeEntries, randomIndexes } from './data.js';
import { Deadline, median } from './measure.js';
import type { CacheHitFigures, Extra } from './results.js';
import type { Store, Subject } from './subject.js';
import { awaitedMap } from './subjects/awaited-map.js';
import { memoryMapFull } from './subjects/memory-engine.js';
import { plainMap } from './subjects/plain-map.js';
import { pass, timedRound } from './workloads/random-get.js';
import { setChunked } from './workloads/set-chunked.js';

const request = childArgument<CacheHitRequest>();
answer(await measure(makeEntries(request.keys), request.rounds, request.roundMs, request.dir));
process.exit(0);

async function measure(
  entries: readonly Entry[],
  roundsPerSubject: number,
  roundMs: number,
  dir: string,
): Promise<Extra<CacheHitFigures>> {
  const subjects: Subject[] = [memoryMapFull, awaitedMap, plainMap];
  const stores: Store[] = [];
  try {
    for (const subject of subjects) {
      const opener = await subject.prepare();
      if (!opener.available) return { skipped: `${subject.label}: ${opener.reason}` };
      const store = await opener.open(dir);
      stores.push(store);
      await setChunked(store, entries, Number.POSITIVE_INFINITY);
    }
    const keys = Array.from(randomIndexes(Math.min(entries.length, 50_000), entries.length, 13), (index) =>
      keyOf(index),
    );
    const noLimit = new Deadline(Number.POSITIVE_INFINITY);
    for (const store of stores) await pass(store, keys, noLimit);
    const rounds = roundsPerSubject;
    const rates: number[][] = stores.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [index, store] of stores.entries()) {
        const result = await timedRound(store, keys, roundMs, noLimit);
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
