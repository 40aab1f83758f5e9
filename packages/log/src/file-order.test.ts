/**
 * Files are listed by number wherever a report lists them, also when a merge's output
 * (numbered when the merge began writing) is installed after a log file started while it
 * ran (numbered later): stats() and verify() go by number, not by when a file joined.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FileHandle, type FileSystem, nodeFileSystem } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

/** A file system whose fsyncs of a merge's temp output wait until `release` is called. */
function heldMergeOutputs(): { fs: FileSystem; held: { release: (() => void) | undefined; on: boolean } } {
  const held: { release: (() => void) | undefined; on: boolean } = { release: undefined, on: false };
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
      if (held.on && handle.path.includes('.data.')) {
        held.on = false;
        await new Promise<void>((resolve) => {
          held.release = resolve;
        });
      }
      return handle.sync();
    },
    close: () => handle.close(),
  });
  return { fs: { ...nodeFileSystem, open: (path, mode) => wrap(nodeFileSystem.open(path, mode)) }, held };
}

const idOf = (name: string) => Number.parseInt(name, 10);

describe('file order in reports', () => {
  it('a log file started during a merge is listed after the merge output it outnumbers', async () => {
    const dir = tempDir();
    const { fs, held } = heldMergeOutputs();
    const log = await openLog({ dir, fs, maxFileSize: 1024 });
    for (let i = 0; i < 8; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    held.on = true;
    const merging = log.merge();
    for (let i = 0; i < 50 && held.release === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(held.release).toBeDefined(); // the merge has numbered its output and is writing it
    for (let i = 0; i < 6; i++) await log.set(`late-${i}`, 'w'.repeat(300)); // starts new log files
    held.release?.();
    await merging;

    const files = (await log.stats()).files;
    const merged = files.filter((file) => file.kind === 'merged').map((file) => idOf(file.file));
    const logs = files.filter((file) => file.kind === 'log').map((file) => idOf(file.file));
    // The situation under test: a log file numbered above a merge output.
    expect(Math.max(...logs)).toBeGreaterThan(Math.min(...merged));
    const ids = files.map((file) => idOf(file.file));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // verify reports damage in file order too: one damaged record in the first merged file and one in the newest log file.
    const damaged = [Math.min(...merged), Math.max(...logs)].map((id) => `${String(id).padStart(6, '0')}.data`);
    for (const name of damaged) {
      const bytes = readFileSync(join(dir, name));
      const at = FILE_HEADER_SIZE + RECORD_HEADER_SIZE + 2;
      bytes[at] = bytes[at]! ^ 1;
      writeFileSync(join(dir, name), bytes);
    }
    const problems = (await log.verify()).problems.filter((problem) => problem.file.endsWith('.data'));
    expect(problems.map((problem) => problem.file)).toEqual(damaged);
  });

  it('keys overwritten or deleted while a merge writes keep their newer state; the rest point at the merged copies', async () => {
    const dir = tempDir();
    const { fs, held } = heldMergeOutputs();
    const log = await openLog({ dir, fs, maxFileSize: 1024 });
    for (let i = 0; i < 8; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    held.on = true;
    const merging = log.merge();
    for (let i = 0; i < 50 && held.release === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(held.release).toBeDefined(); // the survivors are chosen and being written
    await log.set('k1', 'newer');
    await log.delete('k2');
    held.release?.();
    const report = await merging;
    expect(report.filesMerged).toBeGreaterThan(0);
    const expected = Array.from({ length: 8 }, (_, i) =>
      i === 1 ? 'newer' : i === 2 ? undefined : `${i}-${'v'.repeat(200)}`,
    );
    const keys = expected.map((_, i) => `k${i}`);
    expect(await log.getMany(keys)).toEqual(expected);
    await log.close();
    const again = await openLog({ dir, maxFileSize: 1024 });
    expect(await again.getMany(keys)).toEqual(expected);
  });
});
