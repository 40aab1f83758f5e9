/**
 * Opening a store folder, the same steps in every file engine: create the folder (and its
 * parents) durably, take the store's lock, sweep the temp files dead writers left, then
 * let the engine recover. If anything after the lock fails, the lock is released before
 * the error is thrown, so a failed open never keeps the store locked against the next try.
 */
import { join } from 'node:path';
import { makeDirectoryDurable } from './durable-files.js';
import { fileError } from './errors.js';
import type { FileSystem } from './file-system.js';
import { acquireLock, type FileLock } from './lock.js';
import { sweepTempFiles } from './temp-files.js';

export interface LockedStoreOptions {
  /** The package opening the store, named in errors, e.g. `@stowage/log`. */
  readonly origin: string;
  /** The lock's path (default `<dir>/LOCK`); csv's lock sits next to its file instead. */
  readonly lockPath?: string;
  /** Sweep only temp files whose target name starts with this (see `sweepTempFiles`), for a folder the store shares. */
  readonly tempPrefix?: string;
}

/** What the engine's recovery is handed: the lock it now holds, and what the sweep removed. */
export interface LockedStore {
  readonly lock: FileLock;
  /** Names (in the store's folder) of the temp files the sweep removed, for the engine's recovery report. */
  readonly removedTempFiles: readonly string[];
}

/**
 * Opens the store in `dir`: `mkdir -p` made durable, the lock taken (LOCKED naming the
 * holder while a live process has it), temp files of dead writers swept, then `recover`
 * run with the lock; returns what `recover` returns. A folder that cannot be created or
 * swept is a StowageError IO (READ_ONLY on a read-only mount). When `recover` throws, the
 * lock is released and its error is thrown unchanged; `recover` closes what it opened.
 */
export async function openLockedStore<T>(
  fs: FileSystem,
  dir: string,
  options: LockedStoreOptions,
  recover: (store: LockedStore) => T | Promise<T>,
): Promise<T> {
  const { origin } = options;
  try {
    await makeDirectoryDurable(fs, dir);
  } catch (error) {
    throw fileError(error, { origin, file: dir, action: 'create the store folder' });
  }
  const lock = await acquireLock(fs, options.lockPath ?? join(dir, 'LOCK'), { origin });
  try {
    let removedTempFiles: string[];
    try {
      removedTempFiles = sweepTempFiles(
        fs,
        dir,
        // Stryker disable next-line ConditionalExpression: sweepTempFiles reads a prefix of undefined as no prefix
        options.tempPrefix === undefined ? {} : { prefix: options.tempPrefix },
      );
    } catch (error) {
      throw fileError(error, { origin, file: dir, action: 'sweep temp files in' });
    }
    return await recover({ lock, removedTempFiles });
  } catch (error) {
    // The error that matters is the one being thrown, not a failed release's.
    await lock.release().catch(() => undefined);
    throw error;
  }
}
