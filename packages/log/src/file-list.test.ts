/**
 * The file list: an older data file deleted, or cut back to a record boundary, is
 * CORRUPTION at open naming the file (it opened cleanly before, with deleted keys back
 * and newer values reverted); verify() reports it; repair() reports it and lets the
 * store open with what is left.
 */
import { readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { RECORD_HEADER_SIZE } from './record-format.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

/** A closed store of three or more data files where `gone` was set in the first and deleted in a later one. */
async function build(): Promise<{ dir: string; files: string[] }> {
  const dir = tempDir();
  const log = await openLog({ dir, maxFileSize: 1024 });
  await log.set('gone', 'old value');
  await log.set('kept', 'v1');
  for (let i = 0; i < 6; i++) await log.set(`pad-${i}`, 'p'.repeat(300));
  await log.delete('gone');
  await log.set('kept', 'v2');
  for (let i = 0; i < 6; i++) await log.set(`pad-${i}`, 'q'.repeat(300));
  await log.close();
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.data'))
    .sort();
  expect(files.length).toBeGreaterThanOrEqual(3);
  return { dir, files };
}

async function openError(dir: string): Promise<StowageError> {
  const log = new LogBackend({ dir });
  const error = await log.open().then(
    () => log.close(),
    (caught: unknown) => caught,
  );
  expect(StowageError.is(error, 'CORRUPTION'), String(error)).toBe(true);
  return error as StowageError;
}

describe('the file list', () => {
  it('a deleted older data file fails the open with CORRUPTION naming it', async () => {
    const { dir, files } = await build();
    rmSync(join(dir, files[1]!));
    const error = await openError(dir);
    expect(error.message).toContain(files[1]);
    expect(error.message).toContain('missing');
  });

  it('an older data file cut back to a record boundary fails the open with CORRUPTION naming it', async () => {
    const { dir, files } = await build();
    const path = join(dir, files[0]!);
    // The last record of the first file is a 300-byte pad value under a 5-byte key.
    truncateSync(path, statSync(path).size - (RECORD_HEADER_SIZE + 'pad-0'.length + 300));
    const error = await openError(dir);
    expect(error.message).toContain(files[0]);
    expect(error.message).toContain('bytes where the file list');
  });

  it('repair() reports the missing file and the store opens with what is left', async () => {
    const { dir, files } = await build();
    rmSync(join(dir, files[1]!));
    const report = await LogBackend.repair({ dir });
    expect(report.ok).toBe(false);
    expect(report.missing).toEqual([expect.objectContaining({ file: files[1] })]);
    const log = await openLog({ dir });
    expect(await log.get('kept')).toBe('v2');
    expect((await log.verify()).ok).toBe(true);
  });

  it('verify() reports a file shortened while the store is open', async () => {
    const { dir, files } = await build();
    const log = await openLog({ dir });
    expect((await log.verify()).ok).toBe(true);
    const path = join(dir, files[0]!);
    truncateSync(path, statSync(path).size - 1);
    const report = await log.verify();
    expect(report.problems).toContainEqual(
      expect.objectContaining({ file: files[0], reason: expect.stringContaining('bytes where the file list') }),
    );
  });

  it('a malformed file list is CORRUPTION, and repair() drops it', async () => {
    const { dir } = await build();
    writeFileSync(join(dir, 'FILES'), '{not json');
    const error = await openError(dir);
    expect(error.message).toContain('FILES');
    const report = await LogBackend.repair({ dir });
    expect(report.missing).toEqual([expect.objectContaining({ file: 'FILES' })]);
    const log = await openLog({ dir });
    expect(await log.get('kept')).toBe('v2');
  });
});
