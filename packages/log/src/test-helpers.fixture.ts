/** Shared by the tests of this package: temp directories and a file system that counts fsyncs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileHandle, FileSystem } from '@stowage/fs';
import { nodeFileSystem } from '@stowage/fs';
import { afterEach } from 'vitest';
import { LogBackend } from './log-backend.js';
import type { LogBackendOptions } from './options.js';

const made: string[] = [];
const opened: LogBackend[] = [];

afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close().catch(() => undefined);
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-log-'));
  made.push(dir);
  return dir;
}

/** An open LogBackend on `dir` (a fresh one by default), closed after the test. */
export async function openLog(options: Partial<LogBackendOptions> = {}): Promise<LogBackend> {
  const backend = new LogBackend({ dir: options.dir ?? tempDir(), ...options });
  opened.push(backend);
  await backend.open();
  return backend;
}

/** Counts the calls a store makes, to prove writes share one append and one fsync. */
export interface CallCounts {
  appends: number;
  /** fsyncs of data files. */
  syncs: number;
  directorySyncs: number;
}

export function countingFileSystem(base: FileSystem = nodeFileSystem): { fs: FileSystem; counts: CallCounts } {
  const counts: CallCounts = { appends: 0, syncs: 0, directorySyncs: 0 };
  const wrap = (handle: FileHandle): FileHandle => ({
    get path() {
      return handle.path;
    },
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    write: (data, position) => handle.write(data, position),
    append: (data) => {
      counts.appends++;
      return handle.append(data);
    },
    size: () => handle.size(),
    truncate: (size) => handle.truncate(size),
    sync: () => {
      // Data files only: the lock's own files (fs's business) are fsynced too.
      if (handle.path.endsWith('.data')) counts.syncs++;
      return handle.sync();
    },
    close: () => handle.close(),
  });
  const fs: FileSystem = {
    ...base,
    open: (path, mode) => wrap(base.open(path, mode)),
    syncDirectory: (path) => {
      counts.directorySyncs++;
      return base.syncDirectory(path);
    },
  };
  return { fs, counts };
}
