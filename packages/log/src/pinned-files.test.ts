/**
 * A file in use across an fsync stays open until the fsync is done, even when a merge
 * takes it away meanwhile: closing it early would fail the fsync (EBADF) or, with the
 * descriptor reused, sync another file. It is closed as soon as its last user is done.
 */
import { basename } from 'node:path';
import { type FileHandle, type FileSystem, nodeFileSystem } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { openLog } from './test-helpers.fixture.js';

/** Records closes, and holds the next fsync of the named file until released. */
function watchedFileSystem() {
  const watch = {
    closed: [] as string[],
    holdSyncOf: undefined as string | undefined,
    release: undefined as (() => void) | undefined,
    /** Holds every fsync of this file while set; each one's release is queued. */
    holdAllOf: undefined as string | undefined,
    releases: [] as (() => void)[],
  };
  const wrap = (handle: FileHandle): FileHandle => ({
    get path() {
      return handle.path;
    },
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    write: (data, position) => handle.write(data, position),
    append: (data) => handle.append(data),
    size: () => handle.size(),
    truncate: (size) => handle.truncate(size),
    sync: async () => {
      if (watch.holdAllOf !== undefined && basename(handle.path) === watch.holdAllOf) {
        await new Promise<void>((resolve) => {
          watch.releases.push(resolve);
        });
      } else if (watch.holdSyncOf !== undefined && basename(handle.path) === watch.holdSyncOf) {
        watch.holdSyncOf = undefined;
        await new Promise<void>((resolve) => {
          watch.release = resolve;
        });
      }
      return handle.sync();
    },
    close: () => {
      watch.closed.push(basename(handle.path));
      handle.close();
    },
  });
  const fs: FileSystem = { ...nodeFileSystem, open: (path, mode) => wrap(nodeFileSystem.open(path, mode)) };
  return { fs, watch };
}

describe('pinned files', () => {
  it('a file a merge removes during a flush of it stays open until that fsync is done, then closes', async () => {
    const { fs, watch } = watchedFileSystem();
    const log = await openLog({ fs, durability: 'none', maxFileSize: 1024 });
    await log.set('first', 'f'.repeat(300));
    watch.holdSyncOf = '000001.data';
    const flushing = log.flush();
    for (let i = 0; i < 50 && watch.release === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(watch.release).toBeDefined();
    // Rotate away from the file being flushed, then merge it away while its fsync waits.
    for (let i = 0; i < 8; i++) await log.set(`k${i}`, 'v'.repeat(300));
    const others = (await log.stats()).files
      .filter((file) => !file.active && file.file !== '000001.data')
      .map((file) => file.file);
    const report = await log.merge();
    expect(others.length).toBeGreaterThan(0);
    expect(report.filesMerged).toBe(others.length + 1);
    // The inputs no fsync uses close at once.
    expect(others.filter((name) => !watch.closed.includes(name))).toEqual([]);
    const closedDuringFsync = watch.closed.includes('000001.data');
    watch.release?.();
    await flushing;
    expect(closedDuringFsync).toBe(false);
    expect(watch.closed.filter((name) => name === '000001.data')).toEqual(['000001.data']);
    expect(await log.get('first')).toBe('f'.repeat(300));
  });

  it('with two fsyncs of it in flight, the file closes only when the second is done', async () => {
    const { fs, watch } = watchedFileSystem();
    const log = await openLog({ fs, durability: 'none', maxFileSize: 1024 });
    await log.set('first', 'f'.repeat(300));
    watch.holdAllOf = '000001.data';
    const flushes = [log.flush(), log.flush()];
    for (let i = 0; i < 50 && watch.releases.length < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(watch.releases.length).toBe(2);
    watch.holdAllOf = undefined;
    for (let i = 0; i < 4; i++) await log.set(`k${i}`, 'v'.repeat(300));
    await log.merge();
    const closed = () => watch.closed.filter((name) => name === '000001.data').length;
    const before = closed();
    watch.releases[0]!();
    await flushes[0];
    const afterFirst = closed();
    watch.releases[1]!();
    await flushes[1];
    expect([before, afterFirst, closed()]).toEqual([0, 0, 1]);
  });
});
