/**
 * The child process of the crash cases: opens `createBackend(dir)` from the engine's
 * module and writes (sets, deletes, narrow and wide batches) from several workers until it
 * is killed.
 * Each worker owns its keys, so one key never has two writes in flight. Every write is
 * announced before it starts and acknowledged as soon as it resolves.
 *
 *   node --import tsx --conditions=@stowage/source crash-child.ts <module> <export> <dir> <seed> <first counter>
 */

import { pathToFileURL } from 'node:url';
import type { BatchOperation, StorageBackend } from '@stowage/core';
import { type CrashMessage, type CrashOperation, crashValue, keysPerWorker, workers } from './crash-protocol.js';
import { seededRandom } from './random.js';

function send(message: CrashMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('crash-child must be started with an IPC channel'));
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

// If the parent goes away (a test run interrupted), stop instead of writing forever.
process.on('disconnect', () => process.exit(0));

async function main(): Promise<void> {
  const [modulePath, exportName, directory, seedText, counterText] = process.argv.slice(2);
  if (!modulePath || !exportName || !directory)
    throw new Error('usage: crash-child <module> <export> <dir> <seed> <counter>');
  const loaded = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  const create = loaded[exportName];
  if (typeof create !== 'function') throw new Error(`${modulePath} does not export a function ${exportName}`);
  const backend = (await create(directory)) as StorageBackend;
  await backend.open();
  await send({ type: 'ready' });

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

main().catch(async (error: unknown) => {
  await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(
    () => undefined,
  );
  process.exit(1);
});
