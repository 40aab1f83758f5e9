/**
 * The fault cases of the power-cut section: a disk call fails with EIO or ENOSPC (once, or
 * until cleared) while the store writes. The write must reject with code IO (or succeed,
 * if the engine got past the fault), a rejected write must not be visible, the store
 * must work again once the fault clears, and nothing acknowledged before may be lost,
 * not even across a close and a power cut.
 */
import { StowageError } from '@stowage/core';
import { createRandom, type DiskOperation, type FaultCode } from '@stowage/fs/testing';
import { WriteHistory } from './power-cut-history.js';
import type { PowerCutOptions } from './power-cut-options.js';
import { formatViolations, freshDisk, openStore, PowerCutFailure, readAll } from './power-cut-scenario.js';
import { describeValue, makeValue, sameValue, type Value } from './power-cut-values.js';
import { POWER_CUT_KEYS } from './power-cut-workload.js';

export interface FaultCase {
  readonly operation: DiskOperation;
  readonly code: FaultCode;
  readonly times: 1 | 'always';
  readonly seed: number;
}

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

/** Runs one fault case; resolves with whether the fault hit a write at all. */
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

  // Acknowledged before the fault: these must never be lost.
  for (const key of POWER_CUT_KEYS.slice(0, 4)) {
    const written = value();
    const [record] = history.begin([{ key, value: written }], false);
    await backend
      .set(key, written)
      .catch((error: unknown) => fail(`a write before any fault failed: ${String(error)}`));
    record!.state = 'acknowledged';
  }

  const before = [await backend.get(POWER_CUT_KEYS[0]!), await backend.get(POWER_CUT_KEYS[1]!)];
  disk.failNext(operation, code, { times });
  const hitsBefore = disk.faultHits;
  let hitAWrite = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    const key = POWER_CUT_KEYS[attempt]!;
    const written = value();
    const records = history.begin([{ key, value: written }], false);
    const hitsAtStart = disk.faultHits;
    try {
      await (attempt === 0
        ? backend.set(key, written)
        : (backend.apply?.([{ type: 'set', key, value: written }]) ?? backend.set(key, written)));
      for (const record of records) record.state = 'acknowledged';
    } catch (error) {
      for (const record of records) record.state = 'failed';
      if (!StowageError.is(error, 'IO')) {
        fail(`the write rejected with ${describeError(error)}, expected a StowageError with code IO`);
      }
      if (disk.faultHits === hitsAtStart)
        fail(`the write rejected though the injected fault never fired: ${String(error)}`);
      hitAWrite = true;
      // Checked once the fault is gone, so a read fault cannot mask what the store shows.
      disk.clearFaults();
      const now = await backend.get(key);
      if (!sameValue(now, before[attempt])) {
        fail(
          `after the rejected write, ${JSON.stringify(key)} shows ${describeValue(now)} instead of ${describeValue(before[attempt])}`,
        );
      }
      break;
    }
  }
  if (disk.faultHits > hitsBefore) hitAWrite = true;
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
  return hitAWrite;
}

function describeError(error: unknown): string {
  if (StowageError.is(error)) return `StowageError ${error.code}: ${error.message}`;
  return String(error);
}
