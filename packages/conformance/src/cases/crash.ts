/**
 * Crash safety (file engines that give `crash`): a real child process writes and is
 * SIGKILLed at a random moment, several times on the same files; after each kill the store
 * is reopened here and must hold every acknowledged write exactly (or the one write to
 * that key still in flight), nothing torn, and, where batches are atomic, no half batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EncodedValue, StorageBackend } from '@stowage/core';
import { describeValue, sameValue } from '../assertions.js';
import { type CrashOperation, crashCounter, crashValue } from '../crash-protocol.js';
import { crashKills, runCrashRound } from '../crash-run.js';
import type { KitCase } from '../types.js';

/** The state of a key: the counter of the write that set it, or null when absent. */
type State = number | null;

const after = (operation: CrashOperation): State => (operation.type === 'set' ? operation.counter : null);

async function recover(create: (directory: string) => StorageBackend | Promise<StorageBackend>, directory: string) {
  const backend = await create(directory);
  await backend.open();
  const stored = new Map<string, EncodedValue>();
  try {
    for await (const [key, value] of backend.entries()) stored.set(key, value);
  } finally {
    await backend.close();
  }
  return stored;
}

export const crashCases: KitCase[] = [
  {
    name: 'after SIGKILL of a writing process, every acknowledged write is there exactly and nothing is torn',
    modes: ['raw'],
    gate: (supports, kit) => supports.persistent && kit.crash !== undefined,
    timeout: 600_000,
    async run(context) {
      const crash = context.kit.crash!;
      const exportName = crash.exportName ?? 'createBackend';
      const loaded = (await import(pathToFileURL(crash.module).href)) as Record<string, unknown>;
      const create = loaded[exportName] as (directory: string) => StorageBackend | Promise<StorageBackend>;
      if (typeof create !== 'function') throw new Error(`${crash.module} does not export ${exportName}`);
      const directory = mkdtempSync(join(tmpdir(), 'stowage-crash-'));
      context.defer(() => rmSync(directory, { recursive: true, force: true }));

      let known = new Map<string, State>(); // verified state of every key after the previous round
      let counter = 1;
      for (let round = 0; round < crashKills(); round++) {
        const { intents, acknowledged } = await runCrashRound({
          module: crash.module,
          exportName,
          directory,
          seed: 7919 * (round + 1),
          firstCounter: counter,
        });
        // Per key: the state after its last acknowledged write, and the state after a write still in flight.
        const settled = new Map<string, State>(known);
        const inFlight = new Map<string, State>();
        for (const intent of intents) {
          for (const operation of intent.operations) {
            counter = Math.max(counter, operation.counter + 1);
            if (acknowledged.has(intent.id)) {
              settled.set(operation.key, after(operation));
              inFlight.delete(operation.key);
            } else {
              inFlight.set(operation.key, after(operation));
            }
          }
        }
        const stored = await recover(create, directory);
        const where = `round ${round + 1} (${acknowledged.size} acknowledged writes)`;
        const recovered = new Map<string, State>();
        for (const [key, value] of stored) {
          const written = crashCounter(key, value);
          if (written === undefined || !sameValue(value, crashValue(key, written))) {
            throw new Error(
              `${where}: key ${JSON.stringify(key)} holds a torn or foreign value ${describeValue(value)}`,
            );
          }
          recovered.set(key, written);
        }
        for (const key of new Set([...settled.keys(), ...inFlight.keys(), ...recovered.keys()])) {
          const state = recovered.get(key) ?? null;
          const allowed = [settled.get(key) ?? null];
          if (inFlight.has(key)) allowed.push(inFlight.get(key)!);
          if (!allowed.includes(state)) {
            throw new Error(
              `${where}: key ${JSON.stringify(key)} recovered as ${state === null ? 'absent' : `write #${state}`}, ` +
                `expected ${allowed.map((s) => (s === null ? 'absent' : `write #${s}`)).join(' or ')}`,
            );
          }
        }
        if (context.supports.atomicBatch) {
          for (const intent of intents) {
            if (acknowledged.has(intent.id) || intent.operations.length < 2) continue;
            const applied = intent.operations
              .filter((operation) => after(operation) !== (settled.get(operation.key) ?? null))
              .map((operation) => (recovered.get(operation.key) ?? null) === after(operation));
            if (applied.includes(true) && applied.includes(false)) {
              throw new Error(`${where}: a batch in flight at the kill was applied in part: ${JSON.stringify(intent)}`);
            }
          }
        }
        known = recovered;
      }
      // The recovered store keeps working: a write after the last kill survives a reopen.
      const backend = await create(directory);
      await backend.open();
      await backend.set('after-crashes', 'still writable');
      await backend.close();
      const stored = await recover(create, directory);
      if (stored.get('after-crashes') !== 'still writable') {
        throw new Error('a write after recovery from the kills did not survive a reopen');
      }
    },
  },
];
