/**
 * One seeded power cut: open a store on a fresh simulated disk, write at random, cut the
 * power at a random point (after a random number of disk calls, so in the middle of an
 * fsync or a rename, or between acknowledged writes with others still in flight), reopen
 * on what survived and check it. Every failure names the seed that replays it.
 */
import type { StorageBackend } from '@stowage/core';
import { createRandom, type PowerCutReport, SimulatedDisk } from '@stowage/fs/testing';
import { type Violation, WriteHistory } from './history.js';
import { isDurable, type PowerCutOptions } from './options.js';
import { describeValue, sameValue, type Value } from './values.js';
import { POWER_CUT_KEYS, Workload } from './workload.js';

export const STORE_DIR = '/store';

/** A failure of the section, with the seed and what the disk did in its message. */
export class PowerCutFailure extends Error {
  readonly seed: number;
  constructor(name: string, seed: number, message: string) {
    super(
      `[power cut: ${name}] seed ${seed} (replay with STOWAGE_POWER_CUT_SEED=${seed} STOWAGE_POWER_CUTS=1): ${message}`,
    );
    this.name = 'PowerCutFailure';
    this.seed = seed;
  }
}

/** Runs one seeded power cut; throws PowerCutFailure when the store breaks a promise. */
export async function checkPowerCutSeed(options: PowerCutOptions, seed: number): Promise<void> {
  const fail = (message: string): never => {
    throw new PowerCutFailure(options.name, seed, message);
  };
  // Two generators: one drives the writes (so a dry run replays them exactly), one the cut.
  const plan = createRandom((seed * 0x9e3779b1) >>> 0);
  // With maintenance, more groups, so files rotate and every maintenance run has work.
  const groups = options.maintenance ? plan.between(8, 40) : plan.between(1, 10);
  // Either the disk cuts the power itself at a call drawn uniformly from those the run
  // makes (counted by a dry run: mid-append, mid-fsync, mid-rename), or the section cuts it
  // a few ticks after starting a group (acknowledged writes done, others in flight).
  const cut: CutPlan = plan.chance(0.65)
    ? { atCall: plan.between(1, (await countCalls(options, seed, groups, fail)) + 1) }
    : { duringGroup: plan.int(groups + 1), afterTicks: plan.int(4) };

  const disk = await freshDisk(seed);
  const powerIsOn = () => disk.cuts.length === 0;
  const history = new WriteHistory();
  // The cut may land while the fresh store is still being created (its first files, its lock).
  if ('atCall' in cut) disk.cutAfter(cut.atCall);
  const backend = await openUnlessCut(options, disk, 'open a fresh store', fail);
  if (backend !== undefined) {
    const workload = new Workload(backend, disk, history, workloadRandom(seed), seed);
    // Maintenance runs over and over until the cut, so the cut may land inside one.
    const maintaining = maintainUntilCut(options, backend, disk, workload.unexpectedErrors);
    await runGroups(workload, disk, groups, cut, fail);
    disk.cancelCut();
    if (powerIsOn()) {
      const writes = plan.chance(0.5) ? workload.startGroup() : Promise.resolve();
      await ticks(plan.int(3));
      if (powerIsOn()) disk.powerCut();
      await settleOrFail(writes, fail);
    }
    await settleOrFail(maintaining, fail);
    if (workload.unexpectedErrors.length > 0) {
      fail(`a write failed while the power was on and no fault was injected: ${String(workload.unexpectedErrors[0])}`);
    }
    // The old instance is dead with its mount; closing it only stops its timers.
    backend.close().catch(() => undefined);
  }
  const where = backend === undefined ? ', while the fresh store was opening' : '';
  // Sometimes the power fails again while the store recovers: recovery must survive its own cut.
  if (plan.chance(0.3)) {
    disk.cutAfter(plan.between(1, 10));
    const recovering = await openUnlessCut(
      options,
      disk,
      `reopen after the power cut: ${describeCut(disk.cuts[0]!)}`,
      fail,
    );
    disk.cancelCut();
    if (disk.cuts.length > 1) recovering?.close().catch(() => undefined);
    else await recovering?.close().catch((error: unknown) => fail(`close after recovery failed: ${String(error)}`));
  }
  const cuts = disk.cuts.map(describeCut).join('; then during recovery ');
  const reopened = await openStore(options, disk, `reopen after the power cut${where}: ${cuts}`, fail);
  const durable = isDurable(options, reopened);
  const context = `\n  ${cuts}${where}\n  ${durabilityStatement(durable)}`;
  const found = await readAll(reopened, (message) => fail(`${message}${context}`));
  const violations = history.check(found, durable, reopened.supports.atomicBatch);
  if (violations.length > 0) fail(`after the power cut:${context}\n${formatViolations(violations)}`);

  await checkAcceptsWrites(options, disk, reopened, found, plan, seed, fail);
}

type CutPlan = { readonly atCall: number } | { readonly duringGroup: number; readonly afterTicks: number };

function workloadRandom(seed: number) {
  return createRandom((seed * 0x85ebca6b + 0x7f4a7c15) >>> 0);
}

/** Runs the write groups, cutting the power during one of them if the plan says so. */
async function runGroups(
  workload: Workload,
  disk: SimulatedDisk,
  groups: number,
  cut: CutPlan | undefined,
  fail: (message: string) => never,
): Promise<void> {
  const random = workload.random;
  const powerIsOn = () => disk.cuts.length === 0;
  for (let group = 0; group < groups && powerIsOn(); group++) {
    if (random.chance(0.15)) await workload.flush();
    if (!powerIsOn()) break;
    const writes = workload.startGroup();
    if (cut !== undefined && 'duringGroup' in cut && group === cut.duringGroup) {
      await ticks(cut.afterTicks);
      if (powerIsOn()) disk.powerCut();
    }
    await settleOrFail(writes, fail);
  }
}

/**
 * The engine's maintenance, over and over, until the power is cut (or `stopped`): a run that
 * fails while the power is on is an engine failure; one cut short by the cut is expected.
 */
async function maintainUntilCut(
  options: PowerCutOptions,
  backend: StorageBackend,
  disk: SimulatedDisk,
  errors: unknown[],
  stopped: () => boolean = () => false,
): Promise<void> {
  const maintenance = options.maintenance;
  if (maintenance === undefined) return;
  while (disk.cuts.length === 0 && !stopped()) {
    try {
      await maintenance.run(backend);
    } catch (error) {
      if (disk.cuts.length === 0) errors.push(error);
      return;
    }
    await ticks(1);
  }
}

/** Opens the store; undefined when the power was cut during the open (then its failure is expected). */
async function openUnlessCut(
  options: PowerCutOptions,
  disk: SimulatedDisk,
  what: string,
  fail: (message: string) => never,
): Promise<StorageBackend | undefined> {
  const cutsBefore = disk.cuts.length;
  let backend: StorageBackend | undefined;
  try {
    backend = await options.create(disk.mount(), STORE_DIR);
    await backend.open();
  } catch (error) {
    backend?.close().catch(() => undefined);
    if (disk.cuts.length === cutsBefore) fail(`could not ${what}: ${String(error)}`);
    return undefined;
  }
  if (disk.cuts.length > cutsBefore) {
    // Opened on a mount that died meanwhile: as good as never opened.
    backend.close().catch(() => undefined);
    return undefined;
  }
  return backend;
}

/** A dry run of the same writes on another disk, without a cut: how many disk calls they make. */
async function countCalls(
  options: PowerCutOptions,
  seed: number,
  groups: number,
  fail: (message: string) => never,
): Promise<number> {
  const disk = await freshDisk(seed);
  const start = disk.calls;
  const backend = await openStore(options, disk, 'open a fresh store (dry run)', fail);
  const workload = new Workload(backend, disk, new WriteHistory(), workloadRandom(seed), seed);
  let stop = false;
  const maintaining = maintainUntilCut(options, backend, disk, workload.unexpectedErrors, () => stop);
  await runGroups(workload, disk, groups, undefined, fail);
  stop = true;
  await settleOrFail(maintaining, fail);
  const calls = disk.calls - start;
  if (workload.unexpectedErrors.length > 0) {
    fail(`a write failed (dry run, no fault, no cut): ${String(workload.unexpectedErrors[0])}`);
  }
  await backend.close().catch((error: unknown) => fail(`close failed (dry run, no fault, no cut): ${String(error)}`));
  return calls;
}

/** The store still takes writes and keeps them across a clean close, and across a cut after that close. */
async function checkAcceptsWrites(
  options: PowerCutOptions,
  disk: SimulatedDisk,
  backend: StorageBackend,
  before: ReadonlyMap<string, Value>,
  random: ReturnType<typeof createRandom>,
  seed: number,
  fail: (message: string) => never,
): Promise<void> {
  const expected = new Map(before);
  const freshKey = random.pick(POWER_CUT_KEYS);
  const freshValue = `${seed}:after-the-cut`;
  const doomedKey = random.pick(POWER_CUT_KEYS);
  try {
    await backend.set(freshKey, freshValue);
    expected.set(freshKey, freshValue);
    if (doomedKey !== freshKey) {
      await backend.delete(doomedKey);
      expected.delete(doomedKey);
    }
    await backend.close();
  } catch (error) {
    fail(`the reopened store refused a write or close after the power cut: ${String(error)}`);
  }
  for (const stage of ['after close and reopen', 'after close, a second power cut and reopen']) {
    if (stage.includes('second')) disk.powerCut();
    const store = await openStore(options, disk, `reopen ${stage}`, fail);
    const found = await readAll(store, (message) => fail(`${stage}: ${message}`));
    const violations: Violation[] = [];
    for (const key of new Set([...expected.keys(), ...found.keys()])) {
      if (!sameValue(expected.get(key), found.get(key))) {
        violations.push({
          key,
          problem: `holds ${describeValue(found.get(key))}, expected ${describeValue(expected.get(key))}`,
        });
      }
    }
    if (violations.length > 0)
      fail(`${stage}, writes acknowledged before close were lost:\n${formatViolations(violations)}`);
    await store.close().catch((error: unknown) => fail(`close failed ${stage}: ${String(error)}`));
  }
}

/** A disk whose store folder is already durable, as it would be before a store is created in it. */
export async function freshDisk(seed: number): Promise<SimulatedDisk> {
  const disk = new SimulatedDisk({ seed });
  disk.mkdir(STORE_DIR);
  await disk.syncDirectory('/');
  return disk;
}

/** Creates and opens the store on a new mount of `disk`. */
export async function openStore(
  options: PowerCutOptions,
  disk: SimulatedDisk,
  what: string,
  fail: (message: string) => never,
): Promise<StorageBackend> {
  let backend: StorageBackend | undefined;
  try {
    backend = await options.create(disk.mount(), STORE_DIR);
    await backend.open();
    return backend;
  } catch (error) {
    backend?.close().catch(() => undefined);
    return fail(`could not ${what}: ${String(error)}`);
  }
}

/** Every entry, by `entries()`, checked against `get` so iteration and lookup agree. */
export async function readAll(backend: StorageBackend, fail: (message: string) => never): Promise<Map<string, Value>> {
  const found = new Map<string, Value>();
  try {
    for await (const [key, value] of backend.entries()) found.set(key, value);
    for (const key of POWER_CUT_KEYS) {
      const value = await backend.get(key);
      if (!sameValue(value, found.get(key))) {
        fail(
          `get(${JSON.stringify(key)}) is ${describeValue(value)} but entries() gave ${describeValue(found.get(key))}`,
        );
      }
    }
  } catch (error) {
    if (error instanceof PowerCutFailure) throw error;
    fail(`reading the store failed: ${String(error)}`);
  }
  return found;
}

export function formatViolations(violations: readonly Violation[]): string {
  const shown = violations.slice(0, 6).map(({ key, problem }) => `  - key ${JSON.stringify(key)} ${problem}`);
  if (violations.length > shown.length) shown.push(`  … and ${violations.length - shown.length} more`);
  return shown.join('\n');
}

export function durabilityStatement(durable: boolean): string {
  return durable
    ? 'durability: every acknowledged write must survive (or be overwritten by a later write).'
    : 'durability: none; writes acknowledged after the last completed flush may be lost, each key showing the value of its last flushed write or of any later write, never an older or torn one.';
}

function describeCut(cut: PowerCutReport): string {
  return (
    `power cut #${cut.cut}, mode ${cut.mode}: kept ${cut.keptWrites} of ${cut.pendingWrites} unsynced writes` +
    `, tore ${cut.tornWrites}, kept ${cut.keptNameChanges} of ${cut.pendingNameChanges} unsynced name changes`
  );
}

/** Waits for the writes in flight to settle; a store that never settles them fails with the seed, not a timeout. */
async function settleOrFail(writes: Promise<void>, fail: (message: string) => never): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<'stuck'>((resolve) => {
    timer = setTimeout(() => resolve('stuck'), 10_000);
  });
  const outcome = await Promise.race([writes, stuck]);
  clearTimeout(timer);
  if (outcome === 'stuck') fail('writes in flight at the power cut never settled (10 s)');
}

function ticks(count: number): Promise<void> {
  let chain = Promise.resolve();
  for (let i = 0; i < count; i++) chain = chain.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  return chain;
}
