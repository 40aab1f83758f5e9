/**
 * The child process of the crash cases: opens `createBackend(dir)` from the engine's
 * module and writes (sets, deletes, narrow and wide batches) from several workers until it
 * is killed; in `maintain` mode the module's maintenance export runs over and over meanwhile.
 * Only this child loads the engine's module (the parent never imports it), so an engine
 * written in TypeScript works from a published kit: the parent starts this child with tsx.
 * In `dump` mode it reopens the store and sends every entry back, so the parent can check.
 * Each worker owns its keys, so one key never has two writes in flight. Every write is
 * announced before it starts and acknowledged as soon as it resolves.
 *
 *   node --import tsx crash/child.ts <mode> <module> <export> <dir> <seed> <first counter> [<maintenance export>]
 */

import { pathToFileURL } from 'node:url';
import type { BatchOperation, EncodedValue, StorageBackend } from '@stowage/core';
import { seededRandom } from '../random.js';
import {
  type CrashChildMode,
  type CrashMessage,
  type CrashOperation,
  crashValue,
  keysPerWorker,
  touchKey,
  touchValue,
  workers,
} from './protocol.js';

function send(message: CrashMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('crash-child must be started with an IPC channel'));
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

// If the parent goes away (a test run interrupted), stop instead of writing forever.
process.on('disconnect', () => process.exit(0));

async function main(): Promise<void> {
  const [mode, modulePath, exportName, directory, seedText, counterText, maintenanceExport] = process.argv.slice(2) as [
    CrashChildMode,
    ...string[],
  ];
  if (!modulePath || !exportName || !directory)
    throw new Error('usage: crash-child <mode> <module> <export> <dir> <seed> <counter> [<maintenance export>]');
  const loaded = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  const create = loaded[exportName];
  if (typeof create !== 'function') throw new Error(`${modulePath} does not export a function ${exportName}`);
  let maintenance: ((backend: StorageBackend) => Promise<unknown>) | undefined;
  if (mode === 'maintain') {
    const found = loaded[maintenanceExport ?? 'maintenance'];
    if (typeof found !== 'function') {
      throw new Error(`${modulePath} does not export a function ${maintenanceExport ?? 'maintenance'}(backend)`);
    }
    maintenance = found as (backend: StorageBackend) => Promise<unknown>;
  }
  const backend = (await create(directory, { maintenance: mode === 'maintain' })) as StorageBackend;
  await backend.open();
  if (mode === 'dump' || mode === 'touch') {
    if (mode === 'touch') {
      await backend.set(touchKey, touchValue);
      await backend.close();
      const again = (await create(directory, { maintenance: false })) as StorageBackend;
      await again.open();
      await dump(again);
    } else await dump(backend);
    process.exit(0);
  }
  await send({ type: 'ready' });
  if (maintenance) void maintain(backend, maintenance);

  const random = seededRandom(Number(seedText) >>> 0 || 1);
  let counter = Number(counterText) || 1;
  let id = 0;
  const work = async (worker: number): Promise<never> => {
    const key = () => `w${worker}:k${Math.floor(random() * keysPerWorker)}`;
    while (true) {
      const roll = random();
      let operations: CrashOperation[];
      if (roll < 0.15 && backend.apply) {
        // A wide batch: every key of this worker, values up to 250 KB, so the batch spans
        // many pages and writes: a kill inside it must leave all of it or none.
        operations = Array.from({ length: keysPerWorker }, (_, k) => ({
          type: 'set',
          key: `w${worker}:k${k}`,
          counter: counter++,
        }));
      } else if (roll < 0.35 && backend.apply) {
        const keys = [...new Set([key(), key(), key()])];
        operations = keys.map((k, i) => ({ type: i === 1 ? 'delete' : 'set', key: k, counter: counter++ }));
      } else if (roll < 0.5) {
        operations = [{ type: 'delete', key: key(), counter: counter++ }];
      } else {
        operations = [{ type: 'set', key: key(), counter: counter++ }];
      }
      const mine = id++;
      await send({ type: 'intent', id: mine, operations });
      if (operations.length > 1) {
        await backend.apply!(
          operations.map(
            (operation): BatchOperation =>
              operation.type === 'set'
                ? { type: 'set', key: operation.key, value: crashValue(operation.key, operation.counter) }
                : { type: 'delete', key: operation.key },
          ),
        );
      } else {
        const [operation] = operations as [CrashOperation];
        if (operation.type === 'set') await backend.set(operation.key, crashValue(operation.key, operation.counter));
        else await backend.delete(operation.key);
      }
      send({ type: 'ack', id: mine }).catch(() => process.exit(0));
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, worker) => work(worker)));
}

async function dump(backend: StorageBackend): Promise<void> {
  const entries: [string, EncodedValue][] = [];
  for await (const entry of backend.entries()) entries.push(entry);
  await backend.close();
  await send({ type: 'dump', entries });
}

/** Maintenance over and over until the kill; a failing run is the engine's failure. */
async function maintain(backend: StorageBackend, run: (backend: StorageBackend) => Promise<unknown>): Promise<void> {
  try {
    while (true) {
      await run(backend);
      // A run with nothing to do may resolve at once: let the writers' I/O have a turn.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } catch (error) {
    await send({
      type: 'error',
      message: `maintenance failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    });
    process.exit(1);
  }
}

main().catch(async (error: unknown) => {
  await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(
    () => undefined,
  );
  process.exit(1);
});
