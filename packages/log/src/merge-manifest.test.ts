/**
 * A stray or broken MERGE manifest: open deletes the files a manifest names, so one that
 * is malformed or does not match the files present is CORRUPTION (before: a stray one
 * naming live files made open delete them silently; an empty or non-JSON one failed
 * open with IO, and repair() said ok while open still failed).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { encodeMergeManifest } from './merge-manifest.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

async function build(): Promise<string> {
  const dir = tempDir();
  const log = await openLog({ dir, maxFileSize: 1024 });
  for (let i = 0; i < 12; i++) await log.set(`k${i}`, 'v'.repeat(200));
  await log.close();
  return dir;
}

async function openFails(dir: string): Promise<StowageError> {
  const log = new LogBackend({ dir });
  const error = await log.open().then(
    () => log.close(),
    (caught: unknown) => caught,
  );
  expect(StowageError.is(error, 'CORRUPTION'), String(error)).toBe(true);
  expect((error as StowageError).message).toContain('MERGE');
  return error as StowageError;
}

const dataFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.data'));

describe('the MERGE manifest', () => {
  for (const [label, content] of [
    ['empty', ''],
    ['not JSON', 'garbage'],
    ['a bare list of live files (no checksum)', '[1, 2]'],
    ['a list whose outputs are not there', encodeMergeManifest([1, 2], [99]).toString()],
  ] as const) {
    it(`${label}: open fails with CORRUPTION and deletes nothing; repair() removes it and the store opens`, async () => {
      const dir = await build();
      const before = dataFiles(dir);
      writeFileSync(join(dir, 'MERGE'), content);
      await openFails(dir);
      expect(dataFiles(dir)).toEqual(before);
      const report = await LogBackend.repair({ dir });
      expect(report.ok).toBe(false);
      // The reason says what was wrong and what repair did about it.
      expect(report.missing).toEqual([{ file: 'MERGE', reason: expect.stringMatching(/merge manifest.*removed it/) }]);
      const log = await openLog({ dir });
      for (let i = 0; i < 12; i++) expect(await log.get(`k${i}`)).toBe('v'.repeat(200));
    });
  }

  it('a manifest naming the newest log file is refused', async () => {
    const dir = await build();
    const newest = Math.max(...dataFiles(dir).map((name) => Number.parseInt(name, 10)));
    writeFileSync(join(dir, 'MERGE'), encodeMergeManifest([newest], []));
    await openFails(dir);
  });
});
