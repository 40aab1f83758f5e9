/**
 * Online merge under load: tiny files (8 KiB, so the active file rotates all the time)
 * and merge() called again and again while concurrent sets (empty values included),
 * deletes, transactions, gets and flushes run. No write may be rejected, every read
 * must see the last acknowledged value of its key, and after close and reopen the store
 * must equal the model. Each lane owns its keys and awaits each call, so the model is
 * exact at every read. STOWAGE_LOG_MERGE_RUNS sets the number of runs (default 1).
 */
import { describe, expect, it } from 'vitest';
import type { LogBackend } from './log-backend.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

const runs = Number(process.env.STOWAGE_LOG_MERGE_RUNS ?? 1);
const LANES = 8;
const OPERATIONS_PER_LANE = 400;

function random(seed: number): (limit: number) => number {
  let state = seed >>> 0 || 1;
  return (limit) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % limit;
  };
}

async function contents(log: LogBackend): Promise<Map<string, unknown>> {
  const result = new Map<string, unknown>();
  for await (const [key, value] of log.entries()) result.set(key, value);
  return result;
}

async function lane(log: LogBackend, id: number, seed: number, model: Map<string, string>): Promise<void> {
  const next = random(seed);
  for (let i = 0; i < OPERATIONS_PER_LANE; i++) {
    const key = `lane${id}-k${next(12)}`;
    const action = next(10);
    if (action < 5) {
      // An empty value is the edge a value-offset comparison gets wrong.
      const value = next(4) === 0 ? '' : `${i}-${'x'.repeat(next(400))}`;
      await log.set(key, value);
      model.set(key, value);
    } else if (action < 7) {
      expect(await log.delete(key), `delete ${key}`).toBe(model.has(key));
      model.delete(key);
    } else if (action < 8) {
      const other = `lane${id}-k${next(12)}`;
      await log.transaction(async (tx) => {
        await tx.set(key, `tx-${i}`);
        await tx.delete(other);
      });
      model.set(key, `tx-${i}`);
      model.delete(other); // the transaction's writes apply in call order
    } else if (action < 9) {
      await log.flush();
    }
    expect(await log.get(key), `get ${key} after operation ${i}`).toBe(model.get(key));
  }
}

describe('merge under concurrent load', () => {
  it(`loses, reverts and rejects nothing over ${runs} runs of repeated merges`, async () => {
    let merges = 0;
    for (let run = 0; run < runs; run++) {
      const dir = tempDir();
      const log = await openLog({ dir, maxFileSize: 8 * 1024 });
      const model = new Map<string, string>();
      let done = false;
      const merging = (async () => {
        while (!done) {
          await log.merge();
          merges++;
          // A merge with nothing to do settles in microtasks; let the writers' macrotasks run.
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      try {
        await Promise.all(Array.from({ length: LANES }, (_, id) => lane(log, id, run * 1000 + id + 1, model)));
      } finally {
        done = true;
        await merging;
      }
      expect(await contents(log)).toEqual(model);
      expect((await log.verify()).problems).toEqual([]);
      await log.close();
      const reopened = await openLog({ dir, maxFileSize: 8 * 1024 });
      expect(await contents(reopened)).toEqual(model);
      expect((await reopened.verify()).problems).toEqual([]);
      await reopened.close();
    }
    expect(merges).toBeGreaterThan(runs);
  });
});
