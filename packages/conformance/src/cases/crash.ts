/**
 * Crash safety (file engines that give `crash`): a real child process writes and is
 * SIGKILLed at a random moment, several times on the same files (and again with the
 * engine's maintenance running over and over, where it gives one); after each kill a child
 * reopens the store and must find every acknowledged write exactly (or the one write to
 * that key still in flight), nothing torn, and, where batches are atomic, no half batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeValue, sameValue } from '../assertions.js';
import { type CrashOperation, crashCounter, crashValue, touchKey, touchValue } from '../crash/protocol.js';
import { type CrashStore, crashKills, dumpCrashStore, runCrashRound } from '../crash/run.js';
import type { CaseContext, KitCase } from '../types.js';

/** The state of a key: the counter of the write that set it, or null when absent. */
type State = number | null;

const after = (operation: CrashOperation): State => (operation.type === 'set' ? operation.counter : null);

/**
 * Rounds of write-and-kill on the same files. With `maintain`, the child runs the module's
 * maintenance export over and over meanwhile. The store is reopened in a child after each
 * kill: only children load the engine's module.
 */
async function crashRounds(context: CaseContext, maintain: boolean): Promise<void> {
  const crash = context.kit.crash!;
  const exportName = crash.exportName ?? 'createBackend';
  const directory = mkdtempSync(join(tmpdir(), 'stowage-crash-'));
  context.defer(() => rmSync(directory, { recursive: true, force: true }));
  const store: CrashStore = { module: crash.module, exportName, directory };
  let known = new Map<string, State>(); // verified state of every key after the previous round
  let counter = 1;
  for (let round = 0; round < crashKills(); round++) {
    const { intents, acknowledged } = await runCrashRound({
      module: crash.module,
      exportName,
      directory,
      seed: 7919 * (round + 1),
      firstCounter: counter,
      ...(maintain ? { maintenanceExportName: crash.maintenanceExportName ?? 'maintenance' } : {}),
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
    const stored = await dumpCrashStore(store);
    const where = `round ${round + 1} (${acknowledged.size} acknowledged writes${maintain ? ', maintenance running' : ''})`;
    const recovered = new Map<string, State>();
    for (const [key, value] of stored) {
      const written = crashCounter(key, value);
      if (written === undefined || !sameValue(value, crashValue(key, written))) {
        throw new Error(`${where}: key ${JSON.stringify(key)} holds a torn or foreign value ${describeValue(value)}`);
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
  const stored = await dumpCrashStore(store, 'touch');
  if (stored.get(touchKey) !== touchValue) {
    throw new Error('a write after recovery from the kills did not survive a reopen');
  }
}

export const crashCases: KitCase[] = [
  {
    name: 'after SIGKILL of a writing process, every acknowledged write is there exactly and nothing is torn',
    modes: ['raw'],
    gate: (supports, kit) => supports.persistent && kit.crash !== undefined,
    timeout: 600_000,
    run: (context) => crashRounds(context, false),
  },
  {
    name: 'after SIGKILL of a process writing while maintenance runs over and over, every acknowledged write is there exactly',
    modes: ['raw'],
    gate: (supports, kit) => supports.persistent && kit.crash !== undefined && kit.maintenance !== undefined,
    timeout: 600_000,
    run: (context) => crashRounds(context, true),
  },
];
