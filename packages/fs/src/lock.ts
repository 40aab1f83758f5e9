/**
 * An exclusive lock, so two writers never open one store — not even when several
 * processes race to take over the lock of a holder that was killed. The lock is a series
 * of generation files created once each (see lock-generations.ts); creating generation
 * g+1 needs generation g seen free or its holder dead, and a winner checks afterwards that
 * no higher generation exists. "Why the lock is safe" in the README gives the argument.
 *
 * Within one process the pid is always alive, so a table of the locks this process holds
 * decides instead: a generation with our pid that the table does not hold as live (left by
 * a simulated power cut, whose handles died, or by an earlier process with this pid) is stale.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { StowageError } from '@stowage/core';
import { errorCode, fileError } from './errors.js';
import type { FileHandle, FileSystem } from './file-system.js';
import { identityOf } from './file-system-identity.js';
import {
  encodeContent,
  type GenerationContent,
  generationPath,
  type LockHolder,
  listLock,
  parseLegacy,
  readGeneration,
} from './lock-generations.js';
import { processExists } from './process-liveness.js';
import { holdTempFile, sweepTempFiles, tempPathFor } from './temp-files.js';

export type { LockHolder } from './lock-generations.js';

export interface LockOptions {
  /** The package taking the lock, named in errors, e.g. `@stowage/log`. */
  readonly origin: string;
}

/** A held lock. */
export interface FileLock {
  /** The path the lock was taken at; its files are `<path>.<generation>`. */
  readonly path: string;
  /** The random token written in the generation; tells this holder apart from a successor. */
  readonly token: string;
  /** The generation this holder created. */
  readonly generation: number;
  /** Lets go: writes the next generation as free. Idempotent. */
  release(): Promise<void>;
}

interface LiveLock {
  /** Undefined while the lock is being taken: it already counts as held, so a concurrent opener waits its turn. */
  handle: FileHandle | undefined;
}

/** The locks this process holds, per file system (each simulated disk is its own world). */
const liveLocks = new WeakMap<object, Map<string, LiveLock>>();

// Rounds of list-decide-create before giving up with LOCKED: a lost race costs one round,
// waiting for a rival to finish writing its generation a few.
const MAX_ROUNDS = 40;
// A lock file of the old format that is unreadable may be being written by an old
// version right now; it gets this many short waits before it counts as debris.
const LEGACY_UNREADABLE_ROUNDS = 3;

/**
 * Takes the exclusive lock at `path`. Rejects with LOCKED, naming the file and the
 * holder's pid, while a live process (this one included) holds it; takes over a lock
 * whose holder is gone. Any other failure is a StowageError IO (or READ_ONLY).
 */
export async function acquireLock(fs: FileSystem, path: string, options: LockOptions): Promise<FileLock> {
  const key = resolve(path);
  const table = tableOf(fs);
  if (isLive(table, key)) throw lockedError(path, `this process (pid ${process.pid})`, options.origin);
  // Claimed before the first await, so two opens in this process cannot both take it.
  // Stryker disable next-line ObjectLiteral: an entry without `handle` reads as handle undefined, the same thing
  const entry: LiveLock = { handle: undefined };
  table.set(key, entry);
  const me: LockHolder = { pid: process.pid, hostname: hostname(), token: randomBytes(16).toString('hex') };
  let won: Won;
  try {
    won = await takeGeneration(fs, path, me, options.origin);
    entry.handle = won.handle;
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: while taking, the entry's handle is undefined, so it counts as live and nothing replaces it
    if (table.get(key) === entry) table.delete(key);
    throw fileError(error, { origin: options.origin, file: path, action: 'lock' });
  }
  let released = false;
  return {
    path,
    token: me.token,
    generation: won.generation,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      if (table.get(key) === entry) table.delete(key);
      try {
        await releaseGeneration(fs, path, won.generation, me);
      } catch (error) {
        throw fileError(error, { origin: options.origin, file: path, action: 'release the lock' });
      } finally {
        closeQuietly(won.handle);
      }
    },
  };
}

/** Who holds the lock at `path`, or undefined when nobody does (never taken, free, or unreadable). */
export function readLockHolder(fs: FileSystem, path: string): LockHolder | undefined {
  let top: number | undefined;
  try {
    top = listLock(fs, path).generations.at(-1);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  // Stryker disable next-line ConditionalExpression: without a generation it would read `<path>.undefined`, which is missing, and fall through the same way
  if (top !== undefined) {
    const content = readGeneration(fs, path, top);
    // Stryker disable next-line ConditionalExpression: a free generation carries no holder, so it reads as undefined either way
    if (typeof content === 'object') return content.state === 'held' ? content.holder : undefined;
  }
  try {
    return parseLegacy(fs.readFile(path));
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'EISDIR') return undefined;
    throw error;
  }
}

interface Won {
  readonly generation: number;
  /** The generation file, kept open: on a simulated disk it dies with the power, which tells the table the lock is gone. */
  readonly handle: FileHandle;
}

type Verdict =
  | { readonly kind: 'free' }
  | { readonly kind: 'held'; readonly holder: LockHolder }
  | { readonly kind: 'wait'; readonly pid: number }
  | { readonly kind: 'again' };

async function takeGeneration(fs: FileSystem, path: string, me: LockHolder, origin: string): Promise<Won> {
  let waited: number | undefined;
  let legacyWaits = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const legacy = legacyVerdict(fs, path);
    if (legacy.kind === 'held') throw lockedError(path, describe(legacy.holder), origin);
    if (legacy.kind === 'wait' && legacyWaits++ < LEGACY_UNREADABLE_ROUNDS) {
      await pause();
      continue;
    }
    const top = listLock(fs, path).generations.at(-1) ?? 0;
    // Stryker disable next-line ObjectLiteral,StringLiteral: a verdict that is not held, again or wait is taken as free
    const verdict: Verdict = top === 0 ? { kind: 'free' } : judge(fs, path, top);
    if (verdict.kind === 'held') throw lockedError(path, describe(verdict.holder), origin);
    if (verdict.kind === 'again') continue;
    if (verdict.kind === 'wait') {
      waited = verdict.pid;
      await pause();
      continue;
    }
    const won = await createGeneration(fs, path, top + 1, 'held', me);
    if (won === undefined) continue;
    try {
      // An old-format lock taken meanwhile by a live process of an older version.
      const late = legacyVerdict(fs, path);
      if (late.kind === 'held') {
        closeQuietly(won);
        await releaseGeneration(fs, path, top + 1, me);
        throw lockedError(path, describe(late.holder), origin);
      }
      await removeDebris(fs, path, top + 1);
    } catch (error) {
      closeQuietly(won);
      throw error;
    }
    return { generation: top + 1, handle: won };
  }
  throw lockedError(path, waited === undefined ? 'other processes (it kept changing hands)' : `pid ${waited}`, origin);
}

/** What the newest generation says: free to take, held, being written (wait), or gone since listing (list again). */
function judge(fs: FileSystem, path: string, generation: number): Verdict {
  const content = readGeneration(fs, path, generation);
  if (content === 'missing') return { kind: 'again' };
  if (content !== 'unreadable') return verdictOf(content);
  // Not yet whole: created but its content not yet written (or the creator died in between).
  // Its creator made a claim file with its pid first and removes it only after writing;
  // while any claimant lives it may be the writer.
  // Stryker disable next-line ArrayDeclaration: a made-up claimant is no pid (processExists is false for it), so it is never live
  const claimants = listLock(fs, path).claims.get(generation) ?? [];
  const live = claimants.find((pid) => pid !== process.pid && processExists(pid));
  if (live !== undefined) return { kind: 'wait', pid: live };
  // The writer may have finished and removed its claim between our two looks.
  const again = readGeneration(fs, path, generation);
  if (again === 'missing') return { kind: 'again' };
  // Stryker disable next-line ObjectLiteral,StringLiteral: a verdict that is not held, again or wait is taken as free
  return again === 'unreadable' ? { kind: 'free' } : verdictOf(again);
}

function verdictOf(content: GenerationContent): Verdict {
  // Stryker disable next-line ObjectLiteral,StringLiteral: a verdict that is not held, again or wait is taken as free
  if (content.state === 'free' || isStale(content.holder)) return { kind: 'free' };
  return { kind: 'held', holder: content.holder };
}

/**
 * Creates generation `generation` with `content`, claim file first. Undefined when a rival
 * created it first, or when it turns out to be an old number (removed by a later winner)
 * with a higher generation beside it: then the caller decides again from a fresh listing.
 */
async function createGeneration(
  fs: FileSystem,
  path: string,
  generation: number,
  state: 'held' | 'free',
  me: LockHolder,
): Promise<FileHandle | undefined> {
  const target = generationPath(path, generation);
  const claim = tempPathFor(target);
  const done = holdTempFile(fs, claim);
  try {
    fs.open(claim, 'createNew').close();
    let handle: FileHandle;
    try {
      handle = fs.open(target, 'createNew');
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return undefined;
      throw error;
    }
    try {
      handle.write(encodeContent(state, me), 0);
      await handle.sync();
    } catch (error) {
      closeQuietly(handle);
      // Our generation may be the newest: it stays (naming us, so rivals wait while we live),
      // and we let go of it by writing the next one as free.
      if (state === 'held') {
        await createGeneration(fs, path, generation + 1, 'free', me)
          .then((free) => free && closeQuietly(free))
          .catch(() => undefined);
      }
      throw error;
    }
    const newest = listLock(fs, path).generations.at(-1) ?? 0;
    if (newest > generation) {
      // A number a later winner had removed: not the newest, so not ours to hold.
      closeQuietly(handle);
      unlinkIfPresent(fs, target);
      return undefined;
    }
    return handle;
  } finally {
    unlinkQuietly(fs, claim);
    done();
  }
}

/** Writes generation `generation + 1` as free and removes ours; a successor that took over (after a simulated power cut) is left alone. */
async function releaseGeneration(fs: FileSystem, path: string, generation: number, me: LockHolder): Promise<void> {
  const free = await createGeneration(fs, path, generation + 1, 'free', me);
  if (free === undefined) return;
  closeQuietly(free);
  unlinkIfPresent(fs, generationPath(path, generation));
  await fs.syncDirectory(dirname(path));
}

/** After winning: older generations, an old-format lock file whose holder is gone, and claim files of dead processes. */
async function removeDebris(fs: FileSystem, path: string, generation: number): Promise<void> {
  const listing = listLock(fs, path);
  for (const older of listing.generations) {
    if (older < generation) unlinkIfPresent(fs, generationPath(path, older));
  }
  for (const name of listing.legacyTemps) unlinkIfPresent(fs, join(dirname(path), name));
  if (legacyVerdict(fs, path).kind !== 'none') unlinkIfPresent(fs, path);
  sweepTempFiles(fs, dirname(path), { prefix: `${basename(path)}.` });
  await fs.syncDirectory(dirname(path));
}

type LegacyVerdict =
  | { readonly kind: 'none' }
  | { readonly kind: 'stale' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'held'; readonly holder: LockHolder };

/** The single lock file of the format before generations, at the lock's own path. */
function legacyVerdict(fs: FileSystem, path: string): LegacyVerdict {
  let bytes: Uint8Array;
  try {
    const stat = fs.stat(path);
    if (stat === undefined || stat.isDirectory) return { kind: 'none' };
    bytes = fs.readFile(path);
  } catch (error) {
    // Stryker disable next-line ObjectLiteral: the file vanished since its stat; any kind but held or wait proceeds as none, and removing it finds nothing
    if (errorCode(error) === 'ENOENT') return { kind: 'none' };
    throw error;
  }
  const holder = parseLegacy(bytes);
  if (holder === undefined) return { kind: 'wait' };
  // Stryker disable next-line ObjectLiteral,StringLiteral: only none, wait and held are ever compared; any other kind means stale
  return isStale(holder) ? { kind: 'stale' } : { kind: 'held', holder };
}

function isStale(holder: LockHolder): boolean {
  // Another machine's pids mean nothing here (a lock on a shared mount): never guess.
  if (holder.hostname !== hostname()) return false;
  // Our own pid, yet the table (checked before) holds no live lock here: left by a dead run.
  if (holder.pid === process.pid) return true;
  return !processExists(holder.pid);
}

/** Only a live holder other than this process is described: our own pid on this host is stale (isStale). */
function describe(holder: LockHolder): string {
  return `pid ${holder.pid} on ${holder.hostname}`;
}

function tableOf(fs: FileSystem): Map<string, LiveLock> {
  const disk = identityOf(fs);
  let table = liveLocks.get(disk);
  if (table === undefined) {
    table = new Map();
    liveLocks.set(disk, table);
  }
  return table;
}

/** A lock in the table whose handle died (a simulated power cut) is not live any more. */
function isLive(table: Map<string, LiveLock>, key: string): boolean {
  const entry = table.get(key);
  if (entry === undefined) return false;
  if (entry.handle === undefined) return true;
  try {
    entry.handle.size();
    return true;
  } catch {
    table.delete(key);
    return false;
  }
}

function pause(): Promise<void> {
  // Stryker disable next-line ArithmeticOperator: the pause's length and jitter change how long an opener waits, never what it decides
  return new Promise((done) => setTimeout(done, 2 + Math.floor(Math.random() * 8)));
}

function lockedError(path: string, who: string, origin: string): StowageError {
  return new StowageError('LOCKED', `${path} is locked by ${who}`, { origin, file: path });
}

function unlinkIfPresent(fs: FileSystem, path: string): void {
  try {
    fs.unlink(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

function unlinkQuietly(fs: FileSystem, path: string): void {
  try {
    fs.unlink(path);
  } catch {
    // Debris at worst: a later winner's sweep removes claim files of dead processes.
  }
}

function closeQuietly(handle: FileHandle): void {
  try {
    handle.close();
  } catch {
    // A handle a power cut killed cannot be closed; it holds nothing any more.
  }
}
