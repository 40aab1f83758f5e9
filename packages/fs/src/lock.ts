/**
 * An exclusive lock file, so two writers never open one store. The file holds the
 * holder's pid, hostname and a random token. A holder that died (kill -9, power cut)
 * leaves its file behind; its successor sees the pid is gone and takes the lock over.
 *
 * Within one process the pid is always alive, so a table of the locks this process
 * holds decides instead: a lock file with our pid that is in the table (its handle still
 * alive) is held, one that is not (left by a simulated power cut, whose handles died, or
 * by an earlier run of this process id) is stale.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { StowageError } from '@stowage/core';
import { errorCode, fileError } from './errors.js';
import type { FileHandle, FileSystem } from './file-system.js';
import { identityOf } from './file-system-identity.js';

export interface LockOptions {
  /** The package taking the lock, named in errors, e.g. `@stowage/log`. */
  readonly origin: string;
}

/** A held lock. */
export interface FileLock {
  readonly path: string;
  /** The random token written in the file; tells this holder apart from a successor. */
  readonly token: string;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/** What a lock file says about its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly token: string;
}

interface LiveLock {
  readonly token: string;
  /** Undefined while the lock is being taken: it already counts as held, so a concurrent opener waits its turn. */
  handle: FileHandle | undefined;
}

/** The locks this process holds, per file system (each simulated disk is its own world). */
const liveLocks = new WeakMap<object, Map<string, LiveLock>>();

// A lock file that is empty or half-written may be one another process is writing right
// now; it gets this long to finish before it counts as debris of a crash.
const UNREADABLE_RETRIES = 3;
const UNREADABLE_WAIT_MS = 15;

/**
 * Takes the exclusive lock file at `path`. Rejects with LOCKED, naming the file and the
 * holder's pid, while a live process (this one included) holds it; takes over a lock
 * whose holder is gone.
 */
export async function acquireLock(fs: FileSystem, path: string, options: LockOptions): Promise<FileLock> {
  const key = resolve(path);
  const table = tableOf(fs);
  const token = randomBytes(16).toString('hex');
  const content = new TextEncoder().encode(
    `${JSON.stringify({ pid: process.pid, hostname: hostname(), token } satisfies LockHolder)}\n`,
  );
  if (isLive(table, key)) {
    throw lockedError(path, process.pid, 'this process', options.origin);
  }
  // Claimed before the first await, so two opens in this process cannot both take it.
  const entry: LiveLock = { token, handle: undefined };
  table.set(key, entry);
  try {
    let handle = await createExclusive(fs, path, content);
    if (handle === undefined) {
      const holder = await readHolder(fs, path);
      if (holder !== undefined && !isStale(holder)) {
        const who = holder.pid === process.pid ? 'this process' : `process ${holder.pid} on ${holder.hostname}`;
        throw lockedError(path, holder.pid, who, options.origin);
      }
      handle = await takeOver(fs, path, content, token, options.origin);
    }
    entry.handle = handle;
  } catch (error) {
    if (table.get(key) === entry) table.delete(key);
    throw fileError(error, { origin: options.origin, file: path, action: 'lock' });
  }
  let released = false;
  return {
    path,
    token,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      if (table.get(key) === entry) table.delete(key);
      if (entry.handle !== undefined) closeQuietly(entry.handle);
      try {
        // A successor may have taken over (after a power cut); its lock is not ours to remove.
        if (parseHolder(fs.readFile(path))?.token !== token) return;
        fs.unlink(path);
        await fs.syncDirectory(dirname(path));
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return;
        throw fileError(error, { origin: options.origin, file: path, action: 'release the lock' });
      }
    },
  };
}

/** Reads who holds the lock file at `path`, or undefined when there is none or it is unreadable. */
export function readLockHolder(fs: FileSystem, path: string): LockHolder | undefined {
  try {
    return parseHolder(fs.readFile(path));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
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

function isStale(holder: LockHolder): boolean {
  // Another machine's pids mean nothing here (a lock on a shared mount): never guess.
  if (holder.hostname !== hostname()) return false;
  // Our own pid, yet not in the table (checked before): left by a dead run of this process.
  if (holder.pid === process.pid) return true;
  return !processExists(holder.pid);
}

function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) !== 'ESRCH';
  }
}

/** Creates the lock file if none exists; undefined when one does. */
async function createExclusive(fs: FileSystem, path: string, content: Uint8Array): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = fs.open(path, 'createNew');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return undefined;
    throw error;
  }
  try {
    handle.write(content, 0);
    await handle.sync();
    await fs.syncDirectory(dirname(path));
    return handle;
  } catch (error) {
    closeQuietly(handle);
    try {
      fs.unlink(path);
    } catch {
      // Nothing more to undo; the original error is what matters.
    }
    throw error;
  }
}

/** The holder, waiting briefly for a file another process may be writing; undefined when gone or unreadable. */
async function readHolder(fs: FileSystem, path: string): Promise<LockHolder | undefined> {
  for (let attempt = 0; ; attempt++) {
    const holder = readLockHolder(fs, path);
    if (holder !== undefined || attempt >= UNREADABLE_RETRIES || fs.stat(path) === undefined) return holder;
    await new Promise((done) => setTimeout(done, UNREADABLE_WAIT_MS));
  }
}

/** Replaces a stale lock file with ours by temp name and rename, then checks we won. */
async function takeOver(
  fs: FileSystem,
  path: string,
  content: Uint8Array,
  token: string,
  origin: string,
): Promise<FileHandle> {
  const temp = `${path}.${token}.tmp`;
  const handle = fs.open(temp, 'createNew');
  try {
    handle.write(content, 0);
    await handle.sync();
    fs.rename(temp, path);
    await fs.syncDirectory(dirname(path));
  } catch (error) {
    closeQuietly(handle);
    try {
      fs.unlink(temp);
    } catch {
      // Already renamed or never created.
    }
    throw error;
  }
  // Two successors may have raced for the same dead lock; the last rename won.
  const holder = readLockHolder(fs, path);
  if (holder?.token !== token) {
    closeQuietly(handle);
    throw lockedError(path, holder?.pid ?? 0, `process ${holder?.pid ?? 'unknown'}`, origin);
  }
  return handle;
}

function parseHolder(bytes: Uint8Array): LockHolder | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { pid, hostname: host, token } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof token !== 'string') return undefined;
    return { pid, hostname: host, token };
  } catch {
    return undefined;
  }
}

function lockedError(path: string, pid: number, who: string, origin: string): StowageError {
  return new StowageError('LOCKED', `${path} is locked by ${who} (pid ${pid})`, { origin, file: path });
}

function closeQuietly(handle: FileHandle): void {
  try {
    handle.close();
  } catch {
    // A handle a power cut killed cannot be closed; it holds nothing any more.
  }
}
