/**
 * The fault cases of the power-cut section: a disk call fails with EIO or ENOSPC (once, or
 * until cleared) while the store writes. The write must reject with code IO (or succeed,
 * if the engine got past the fault), a rejected write must not be visible, the store
 * must work again once the fault clears, and nothing acknowledged before may be lost,
 * not even across a close and a power cut.
 */
import { type StorageBackend, StowageError } from '@stowage/core';
import { createRandom, type DiskOperation, type FaultCode } from '@stowage/fs/testing';
import { WriteHistory } from './history.js';
import type { PowerCutOptions } from './options.js';
import { formatViolations, freshDisk, openStore, PowerCutFailure, readAll } from './scenario.js';
import { describeValue, makeValue, sameValue, type Value } from './values.js';
import { POWER_CUT_KEYS } from './workload.js';

export interface FaultCase {
  readonly operation: DiskOperation;
  readonly code: FaultCode;
  readonly times: 1 | 'always';
  readonly seed: number;
}

/** Writes made while a fault is armed, at most (the window ends at the first rejection). */
const FAULT_WINDOW_WRITES = 40;

const FAULT_OPERATIONS: readonly DiskOperation[] = [
  'write',
  'append',
  'sync',
  'truncate',
  'open',
  'rename',
  'syncDirectory',
  'read',
];

/** Every combination of operation, code and repetition, each with its own seed. */
export function faultCases(): FaultCase[] {
  const cases: FaultCase[] = [];
  for (const operation of FAULT_OPERATIONS) {
    for (const code of ['EIO', 'ENOSPC'] as const) {
      for (const times of [1, 'always'] as const) cases.push({ operation, code, times, seed: cases.length + 1 });
    }
  }
  return cases;
}

/** Runs one fault case; resolves with whether the fault hit the store at all. */
export async function checkFaultCase(options: PowerCutOptions, faultCase: FaultCase): Promise<boolean> {
  const { operation, code, times, seed } = faultCase;
  const label = `${options.name}, ${code} on ${operation} ${times === 1 ? 'once' : 'until cleared'}`;
  const fail = (message: string): never => {
    throw new PowerCutFailure(label, seed, message);
  };
  const random = createRandom(seed);
  const disk = await freshDisk(seed);
  const history = new WriteHistory();
  const serial = { next: 0 };
  const value = (): Value => makeValue(random, seed, ++serial.next);
  let backend = await openStore(options, disk, 'open a fresh store', fail);

  // What the store must show live: the last acknowledged value of each key.
  const model = new Map<string, Value | undefined>();
  // Acknowledged before the fault: these must never be lost.
  for (const key of POWER_CUT_KEYS.slice(0, 4)) {
    const written = value();
    const [record] = history.begin([{ key, value: written }], false);
    await backend
      .set(key, written)
      .catch((error: unknown) => fail(`a write before any fault failed: ${describeError(error)}`));
    record!.state = 'acknowledged';
    model.set(key, written);
  }

  disk.failNext(operation, code, { times });
  const hitsBefore = disk.faultHits;
  // Enough writes (sets, batches, deletes) to reach file rotation, compaction or a rewrite
  // of engines configured with small thresholds, so faults land there too.
  let rejected = false;
  for (let attempt = 0; attempt < FAULT_WINDOW_WRITES && !rejected; attempt++) {
    const key = POWER_CUT_KEYS[attempt % POWER_CUT_KEYS.length]!;
    const other = POWER_CUT_KEYS[(attempt + 3) % POWER_CUT_KEYS.length]!;
    const kind = attempt % 4;
    const operations =
      kind === 3
        ? [{ key, value: undefined }]
        : kind === 2
          ? [
              { key, value: value() },
              { key: other, value: value() },
            ]
          : [{ key, value: value() }];
    const records = history.begin(operations, kind === 2);
    try {
      await write(backend, operations, kind === 2);
      for (const record of records) record.state = 'acknowledged';
      for (const operation of operations) model.set(operation.key, operation.value);
    } catch (error) {
      for (const record of records) record.state = 'failed';
      if (!StowageError.is(error, 'IO')) {
        fail(`the write rejected with ${describeError(error)}, expected a StowageError with code IO`);
      }
      if (disk.faultHits === hitsBefore) {
        fail(`the write rejected though the injected fault never fired: ${describeError(error)}`);
      }
      rejected = true;
      // Checked once the fault is gone, so a read fault cannot mask what the store shows.
      disk.clearFaults();
      for (const operation of operations) {
        const now = await backend.get(operation.key);
        if (!sameValue(now, model.get(operation.key))) {
          fail(
            `after the rejected write, ${JSON.stringify(operation.key)} shows ${describeValue(now)} instead of ${describeValue(model.get(operation.key))}`,
          );
        }
      }
    }
  }
  if (!rejected) {
    // Reads under the fault: the right value, or IO.
    for (const key of POWER_CUT_KEYS) {
      try {
        const now = await backend.get(key);
        if (!sameValue(now, model.get(key))) {
          fail(
            `under the fault, get(${JSON.stringify(key)}) gave ${describeValue(now)} instead of ${describeValue(model.get(key))}`,
          );
        }
      } catch (error) {
        if (error instanceof PowerCutFailure) throw error;
        if (!StowageError.is(error, 'IO'))
          fail(`a read under the fault rejected with ${describeError(error)}, expected IO`);
      }
    }
  }
  const hit = disk.faultHits > hitsBefore;
  disk.clearFaults();

  // The fault is gone: the store must work again, keeping everything acknowledged.
  const retryKey = POWER_CUT_KEYS[0]!;
  const retried = value();
  try {
    await backend.set(retryKey, retried);
  } catch (error) {
    fail(`the store did not work again once the fault cleared: ${describeError(error)}`);
  }
  history.begin([{ key: retryKey, value: retried }], false)[0]!.state = 'acknowledged';
  const live = await readAll(backend, fail);
  const liveViolations = history.check(live, true, false);
  if (liveViolations.length > 0) fail(`once the fault cleared:\n${formatViolations(liveViolations)}`);

  await backend.close().catch((error: unknown) => fail(`close failed once the fault cleared: ${describeError(error)}`));
  // close() makes every acknowledged write durable, whatever the durability setting.
  disk.powerCut();
  backend = await openStore(options, disk, 'reopen after close and a power cut', fail);
  const found = await readAll(backend, fail);
  const violations = history.check(found, true, false);
  if (violations.length > 0) fail(`after close and a power cut:\n${formatViolations(violations)}`);
  await backend.close();
  return hit;
}

/** Writes `operations` as one `apply` batch, or as one set or delete. */
async function write(
  backend: StorageBackend,
  operations: ReadonlyArray<{ key: string; value: Value | undefined }>,
  batch: boolean,
): Promise<void> {
  if (batch && backend.apply !== undefined) {
    await backend.apply(
      operations.map(({ key, value }) =>
        value === undefined ? { type: 'delete' as const, key } : { type: 'set' as const, key, value },
      ),
    );
    return;
  }
  for (const { key, value } of operations) {
    if (value === undefined) await backend.delete(key);
    else await backend.set(key, value);
  }
}

function describeError(error: unknown): string {
  if (StowageError.is(error)) return `StowageError ${error.code}: ${error.message}`;
  return String(error);
}
