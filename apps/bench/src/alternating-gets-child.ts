/** The child side of ./alternating-gets.ts. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AlternatingAnswer, AlternatingRequest } from './alternating-gets.js';
import { answer, childArgument } from './child-process.js';
import { keyOf, makeEntries, randomIndexes } from './data.js';
import { Deadline, median } from './measure.js';
import type { Store } from './subject.js';
import { subjects } from './subjects/registry.js';
import { pass, timedRound } from './workloads/random-get.js';
import { setChunked } from './workloads/set-chunked.js';

const request = childArgument<AlternatingRequest>();
answer(await measure(request));
process.exit(0);

async function measure(request: AlternatingRequest): Promise<AlternatingAnswer> {
  const entries = makeEntries(request.keys);
  const stores: Store[] = [];
  try {
    for (const id of request.subjects) {
      const subject = subjects.find((candidate) => candidate.id === id);
      if (!subject) return { skipped: `no subject ${id}` };
      const opener = await subject.prepare();
      if (!opener.available) return { skipped: `${subject.label}: ${opener.reason}` };
      const dir = join(request.dir, id);
      mkdirSync(dir, { recursive: true });
      let store = await opener.open(dir);
      await setChunked(store, entries, Number.POSITIVE_INFINITY);
      if (subject.persistent) {
        // Read after a reopen, as the get workloads do.
        await store.close();
        store = await opener.open(dir);
      }
      stores.push(store);
    }
    // Equal strings, not the stored string objects: an application's lookups use keys it just built.
    const keys = Array.from(randomIndexes(Math.min(entries.length, 50_000), entries.length, 13), (index) =>
      keyOf(index),
    );
    const noLimit = new Deadline(Number.POSITIVE_INFINITY);
    for (const store of stores) await pass(store, keys, noLimit);
    const rates: number[][] = stores.map(() => []);
    for (let round = 0; round < request.rounds; round++) {
      for (const [index, store] of stores.entries()) {
        const result = await timedRound(store, keys, request.roundMs, noLimit);
        if (result.wrong['get-existing'] > 0) {
          throw new Error(`${request.subjects[index]} lost ${result.wrong['get-existing']} keys`);
        }
        rates[index]?.push(result.rate);
      }
    }
    const byId = (pick: (list: number[]) => number) =>
      Object.fromEntries(request.subjects.map((id, index) => [id, pick(rates[index] ?? [])]));
    return { rates: { median: byId(median), best: byId((list) => Math.max(...list)), rounds: request.rounds } };
  } catch (error) {
    return { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    for (const store of stores) await store.close();
  }
}
