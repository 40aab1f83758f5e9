/**
 * Maintenance (engines that give `maintenance`): the engine's background work (a log
 * merge, a compaction, a resize) runs over and over, with thresholds tiny enough that it has
 * real work, while writers set, delete, batch and read. Nothing acknowledged may be lost or
 * reverted, no write or read may be rejected, and the final state must equal a model Map, in
 * the store, in the backend past any cache, and after close and reopen.
 *
 * Races between maintenance and writes show up in a few runs of a hundred, not in every
 * run: the case runs several rounds, each on a fresh store with its own seed and many
 * writers in flight at once. `STOWAGE_MAINTENANCE_RUNS` sets the rounds per mode (default
 * 3; 50 or more for a long run) and `STOWAGE_MAINTENANCE_SEED` the first seed (replay).
 */
import { expect } from 'vitest';
import { describeValue, expectSameContents, expectValue } from '../assertions.js';
import { patternBytes, patternText, seededRandom } from '../random.js';
import {
  type BackendKitOptions,
  baseModes,
  type CaseContext,
  type KitCase,
  type Subject,
  type Value,
} from '../types.js';
import { canReopen } from './persistence.js';

/** Many writers, so several writes (and the engine's group commits) are in flight while maintenance runs. */
const writers = 8;
const keysPerWriter = 6;

/** Rounds per mode, each on a fresh store with its own seed. */
export const maintenanceRounds = () => Number(process.env.STOWAGE_MAINTENANCE_RUNS ?? 3) || 3;
const firstSeed = () => Number(process.env.STOWAGE_MAINTENANCE_SEED ?? 1) || 1;
/** Sizes cycle from empty to a few KiB, so a tiny file limit rotates files often. */
const sizes = [0, 9, 180, 900, 2_600, 40, 1_500];

const hasMaintenance = (_supports: unknown, kit: BackendKitOptions) => kit.maintenance !== undefined;

function writtenValue(writer: number, serial: number, round: number): Value {
  const length = sizes[(serial + round) % sizes.length]!;
  const seed = round * 10_000_000 + writer * 100_000 + serial;
  return serial % 3 === 0 ? patternBytes(length, seed) : patternText(length, seed);
}

/** Opens a store in the case's mode on the engine's maintenance backend (tiny thresholds). */
export async function openMaintained(context: CaseContext): Promise<Subject> {
  const maintenance = context.kit.maintenance!;
  const backend = await (maintenance.create ?? context.kit.create)();
  return context.openOn(backend);
}

export const maintenanceCases: KitCase[] = [
  {
    name: 'while maintenance runs over and over, concurrent writes, deletes and reads are never lost, reverted or rejected',
    modes: baseModes,
    gate: hasMaintenance,
    timeout: 240_000,
    async run(context) {
      const rounds = maintenanceRounds();
      const first = firstSeed();
      for (let seed = first; seed < first + rounds; seed++) {
        try {
          await maintenanceRound(context, seed);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new Error(
            `maintenance round with seed ${seed} (replay with STOWAGE_MAINTENANCE_SEED=${seed} STOWAGE_MAINTENANCE_RUNS=1):\n${message}`,
          );
        }
      }
    },
  },
];

export async function maintenanceRound(context: CaseContext, seed: number): Promise<void> {
  const run = context.kit.maintenance!.run;
  let store = await openMaintained(context);
  const model = new Map<string, Value>();
  const failures: string[] = [];
  const target = Math.max(60, Math.round(80 * context.scale));
  let maintenanceRuns = 0;
  let writersDone = 0;
  const attempt = async <T>(what: string, operation: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await operation();
    } catch (error) {
      failures.push(`${what} was rejected while maintenance ran (after ${maintenanceRuns} runs): ${String(error)}`);
      return undefined;
    }
  };

  const writer = async (index: number) => {
    const random = seededRandom(4_099 * (index + 1) + 7_919 * seed);
    const key = () => `m${index}:${Math.floor(random() * keysPerWriter)}`;
    let serial = 0;
    // Keep writing until the target is met and maintenance has really overlapped the writes.
    for (let op = 0; (op < target || maintenanceRuns < 3) && op < target * 20 && failures.length === 0; op++) {
      const roll = random();
      if (roll < 0.45) {
        const k = key();
        const value = writtenValue(index, ++serial, seed);
        if ((await attempt(`set ${k}`, () => store.set(k, value).then(() => true))) === undefined) return;
        model.set(k, value);
      } else if (roll < 0.6) {
        const k = key();
        const existed = await attempt(`delete ${k}`, () => store.delete(k));
        if (existed === undefined) return;
        if (existed !== model.has(k)) failures.push(`delete ${k} answered ${existed}, expected ${model.has(k)}`);
        model.delete(k);
      } else if (roll < 0.7) {
        const a = key();
        const b = key();
        if (a === b) continue;
        const value = writtenValue(index, ++serial, seed);
        const done = await attempt(`a batch on ${a} and ${b}`, () =>
          store
            .apply([
              { type: 'set', key: a, value },
              { type: 'delete', key: b },
            ])
            .then(() => true),
        );
        if (done === undefined) return;
        model.set(a, value);
        model.delete(b);
      } else {
        // This writer's own key: nothing else writes it, so the answer must be exact.
        const k = key();
        const read = await attempt(`get ${k}`, () => store.get(k).then((value) => ({ value })));
        if (read === undefined) return;
        try {
          expectValue(read.value, model.get(k), `get ${k} during maintenance (after ${maintenanceRuns} runs)`);
        } catch (error) {
          failures.push(String(error instanceof Error ? error.message : error));
        }
      }
    }
  };

  // A reader over every writer's keys: answers race the writers, but must never be rejected.
  const reader = async () => {
    const random = seededRandom(77 + seed);
    while (writersDone < writers && failures.length === 0) {
      const k = `m${Math.floor(random() * writers)}:${Math.floor(random() * keysPerWriter)}`;
      if (random() < 0.1) {
        const keys = await attempt('an iteration', () => store.keys());
        for (const found of keys ?? []) {
          if (!/^m\d:\d$/.test(found)) failures.push(`an iteration during maintenance yielded ${describeValue(found)}`);
        }
      } else if ((await attempt(`get ${k} (reader)`, () => store.get(k).then(() => true))) === undefined) return;
      // Reads may answer without I/O: yield, or this loop would starve the writers.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  const writing = Array.from({ length: writers }, (_, index) =>
    writer(index).finally(() => {
      writersDone++;
    }),
  );
  // Maintenance over and over until the writers are done, and at least twice.
  const maintaining = (async () => {
    while ((writersDone < writers || maintenanceRuns < 2) && failures.length === 0) {
      try {
        await run(store.backend);
      } catch (error) {
        failures.push(`a maintenance run failed while writes went on: ${String(error)}`);
        return;
      }
      maintenanceRuns++;
      // A run with nothing to do may resolve at once: give the writers' I/O a turn.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  await Promise.all([maintaining, ...writing, reader()]);
  if (failures.length > 0) throw new Error(failures.slice(0, 5).join('\n'));
  expect(maintenanceRuns, 'maintenance runs').toBeGreaterThanOrEqual(2);

  expectSameContents(await store.entries(), model, 'after maintenance, the store');
  expectSameContents([...(await store.stored())], model, 'after maintenance, the backend itself');
  if (canReopen(context.supports, context.kit)) {
    store = await context.reopen(store);
    expectSameContents(await store.entries(), model, 'after maintenance, close and reopen');
    expectSameContents([...(await store.stored())], model, 'after maintenance, close and reopen, the backend itself');
  }
  await store.close();
}
