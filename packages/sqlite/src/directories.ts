/**
 * Creating the missing directories of a new store's path, as csv and log do, so that
 * `file: 'data/app.db'` works in a fresh folder. Durably: a new directory is an entry in its
 * parent, which a power cut can lose until the parent is fsynced, taking the whole store with
 * it; so each new directory's parent is fsynced right after the mkdir. (SQLite fsyncs the
 * store's own directory when it creates the `-wal` there, which keeps the database file's
 * entry.) This is @stowage/fs's `makeDirectoryDurable` in waiting: the engine does not depend
 * on @stowage/fs yet.
 */
import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';

/** The calls used, so a test can record their order. */
export interface DirectoryCalls {
  existsSync(path: string): boolean;
  mkdirSync(path: string): unknown;
  openSync(path: string, flags: string): number;
  fsyncSync(descriptor: number): void;
  closeSync(descriptor: number): void;
}

/** Creates every missing ancestor directory of `file`, top down, fsyncing each one's parent. */
export function makeParentDirectories(file: string, fs: DirectoryCalls = nodeFs): void {
  const missing: string[] = [];
  for (let directory = dirname(file); !fs.existsSync(directory); directory = dirname(directory)) {
    if (dirname(directory) === directory) break; // a root that does not exist: let mkdir say so
    missing.unshift(directory);
  }
  for (const directory of missing) {
    try {
      fs.mkdirSync(directory);
    } catch (error) {
      // Another process created it meanwhile: it exists, which is all that is needed.
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
    syncDirectory(dirname(directory), fs);
  }
}

function syncDirectory(directory: string, fs: DirectoryCalls): void {
  const descriptor = fs.openSync(directory, 'r');
  try {
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }
}
