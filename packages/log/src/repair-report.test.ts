/**
 * `LogBackend.repair()` in detail: what it reports (every damaged range of every file,
 * the bytes lost in total), what it removes (the hint of a rewritten file, a stale file
 * list, a bad MERGE manifest) and what it leaves alone (an intact store's file list, a
 * valid manifest, which the next open finishes).
 */
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { encodeMergeManifest } from './merge-manifest.js';
import { encodeFileHeader, FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import { repairBytes } from './repair.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0x01;
  writeFileSync(path, bytes);
}

// Keys k0..k9 with values value-0..value-9: every record is 32 + 2 + 7 bytes.
const recordSize = RECORD_HEADER_SIZE + 2 + 7;
const recordAt = (index: number) => FILE_HEADER_SIZE + index * recordSize;

describe('repair reports', () => {
  it('two damaged places in one file are two lost ranges, and bytesLost adds them up', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    for (let i = 0; i < 10; i++) await log.set(`k${i}`, `value-${i}`);
    await log.close();
    flipByte(join(dir, '000001.data'), recordAt(2) + 36);
    flipByte(join(dir, '000001.data'), recordAt(6) + 36);
    const report = await LogBackend.repair({ dir });
    expect(report).toEqual({
      ok: false,
      recordsKept: 8,
      bytesLost: 2 * recordSize,
      repaired: [
        {
          file: '000001.data',
          lost: [
            { offset: recordAt(2), length: recordSize, reason: 'record checksum mismatch' },
            { offset: recordAt(6), length: recordSize, reason: 'record checksum mismatch' },
          ],
          recordsKept: 8,
        },
      ],
      missing: [],
    });
    const repaired = await openLog({ dir });
    expect(await repaired.getMany(['k1', 'k2', 'k5', 'k6', 'k9'])).toEqual([
      'value-1',
      undefined,
      'value-5',
      undefined,
      'value-9',
    ]);
  });

  it('damage with nothing intact after it loses the rest of the file', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    for (let i = 0; i < 4; i++) await log.set(`k${i}`, `value-${i}`);
    await log.close();
    const path = join(dir, '000001.data');
    const bytes = readFileSync(path);
    bytes.fill(0xee, recordAt(2) + 4, recordAt(2) + 8); // the third record's flags: no record can start there
    bytes.fill(0xee, recordAt(3) + 4, recordAt(3) + 8);
    writeFileSync(path, bytes);
    const report = await LogBackend.repair({ dir });
    expect(report.repaired).toEqual([
      {
        file: '000001.data',
        lost: [{ offset: recordAt(2), length: 2 * recordSize, reason: 'invalid record header' }],
        recordsKept: 2,
      },
    ]);
    expect(report.bytesLost).toBe(2 * recordSize);
  });

  it('a damaged file header is a lost range at offset 0 (as long as the header, or the file if shorter); records stay in a log file', () => {
    const result = repairBytes(Buffer.from('garbage!garbage!'));
    expect(result.lost).toEqual([{ offset: 0, length: FILE_HEADER_SIZE, reason: expect.any(String) }]);
    expect(result.recordsKept).toBe(0);
    expect(result.bytes).toEqual(encodeFileHeader('log'));
    const short = repairBytes(Buffer.from('STOW'));
    expect(short.lost).toEqual([{ offset: 0, length: 4, reason: expect.any(String) }]);
    expect(short.bytes).toEqual(encodeFileHeader('log'));
    expect(repairBytes(encodeFileHeader('merged'))).toEqual({
      bytes: encodeFileHeader('merged'),
      lost: [],
      recordsKept: 0,
    });
  });

  it('a repaired merged file loses its hint file (its offsets changed), and open scans it', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    await log.merge();
    const merged = (await log.stats()).files.find((file) => file.kind === 'merged')!.file;
    await log.close();
    flipByte(join(dir, merged), FILE_HEADER_SIZE + 40);
    const report = await LogBackend.repair({ dir });
    expect(report.repaired.map((file) => file.file)).toEqual([merged]);
    expect(existsSync(join(dir, merged.replace('.data', '.hint')))).toBe(false);
    const again = await openLog({ dir, maxFileSize: 1024 });
    expect((await again.verify()).ok).toBe(true);
    expect((await again.stats()).recovery).toEqual([]);
  });

  it('repair of an intact store keeps its file list; repair that rewrote a file drops it for open to write anew', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    for (let i = 0; i < 4; i++) await log.set(`k${i}`, `value-${i}`);
    await log.close();
    const list = readFileSync(join(dir, 'FILES'));
    expect((await LogBackend.repair({ dir })).ok).toBe(true);
    expect(readFileSync(join(dir, 'FILES'))).toEqual(list);
    flipByte(join(dir, '000001.data'), recordAt(1) + 36);
    expect((await LogBackend.repair({ dir })).ok).toBe(false);
    expect(existsSync(join(dir, 'FILES'))).toBe(false);
    const again = await openLog({ dir });
    expect(existsSync(join(dir, 'FILES'))).toBe(true);
    expect(await again.get('k1')).toBeUndefined();
  });

  it('a valid MERGE manifest is left for open to finish, and repair says the store is fine', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    await log.merge();
    const files = (await log.stats()).files;
    await log.close();
    const merged = files.filter((file) => file.kind === 'merged').map((file) => Number.parseInt(file.file, 10));
    // A manifest naming no input: what a merge that had already removed its inputs leaves.
    writeFileSync(join(dir, 'MERGE'), encodeMergeManifest([], merged));
    const report = await LogBackend.repair({ dir });
    expect(report.ok).toBe(true);
    expect(report.missing).toEqual([]);
    expect(readdirSync(dir)).toContain('MERGE');
    const again = await openLog({ dir, maxFileSize: 1024 });
    expect((await again.stats()).recovery.map((action) => action.action)).toEqual(['finished-merge']);
    expect(readdirSync(dir)).not.toContain('MERGE');
  });

  it('a file that ends inside a transaction loses that transaction to the end of the file, and keeps what came before', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('k0', 'value-0');
    await log.apply([
      { type: 'set', key: 'k1', value: 'value-1' },
      { type: 'set', key: 'k2', value: 'value-2' },
    ]);
    await log.close();
    truncateSync(join(dir, '000001.data'), recordAt(2));
    const report = await LogBackend.repair({ dir });
    expect(report.repaired).toEqual([
      {
        file: '000001.data',
        lost: [{ offset: recordAt(1), length: recordSize, reason: 'unfinished transaction' }],
        recordsKept: 1,
      },
    ]);
    expect(report.bytesLost).toBe(recordSize);
    const again = await openLog({ dir });
    expect(await again.getMany(['k0', 'k1', 'k2'])).toEqual(['value-0', undefined, undefined]);
  });

  it('a store without a file list (as before lists existed) is repaired with nothing reported missing', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    for (let i = 0; i < 4; i++) await log.set(`k${i}`, `value-${i}`);
    await log.close();
    rmSync(join(dir, 'FILES'));
    flipByte(join(dir, '000001.data'), recordAt(1) + 36);
    const report = await LogBackend.repair({ dir });
    expect(report.missing).toEqual([]);
    expect(report.repaired.map((file) => file.file)).toEqual(['000001.data']);
  });
});
