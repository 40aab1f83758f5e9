import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0x01;
  writeFileSync(path, bytes);
}

// Keys k0..k9 with values value-0..value-9: every record is 32 + 2 + 7 bytes.
const recordSize = RECORD_HEADER_SIZE + 2 + 7;
const recordAt = (index: number) => FILE_HEADER_SIZE + index * recordSize;

describe('repair and verify', () => {
  it('repair keeps every intact record before and after the damage and reports what was lost', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    for (let i = 0; i < 10; i++) await log.set(`k${i}`, `value-${i}`);
    await log.close();
    flipByte(join(dir, '000001.data'), recordAt(4) + 36);
    await expect(new LogBackend({ dir }).open()).rejects.toMatchObject({ code: 'CORRUPTION', offset: recordAt(4) });

    const report = await LogBackend.repair({ dir });
    expect(report.ok).toBe(false);
    expect(report.recordsKept).toBe(9);
    expect(report.repaired).toEqual([
      {
        file: '000001.data',
        lost: [{ offset: recordAt(4), length: recordSize, reason: 'record checksum mismatch' }],
        recordsKept: 9,
      },
    ]);
    const repaired = await openLog({ dir });
    const values = await repaired.getMany(Array.from({ length: 10 }, (_, i) => `k${i}`));
    expect(values).toEqual(Array.from({ length: 10 }, (_, i) => (i === 4 ? undefined : `value-${i}`)));
    expect((await repaired.verify()).ok).toBe(true);
  });

  it('repair drops a whole transaction cut by the damage, and keeps the records after it', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('k0', 'value-0');
    await log.apply([
      { type: 'set', key: 'k1', value: 'value-1' },
      { type: 'set', key: 'k2', value: 'value-2' },
      { type: 'set', key: 'k3', value: 'value-3' },
    ]);
    await log.set('k4', 'value-4');
    await log.close();
    flipByte(join(dir, '000001.data'), recordAt(2) + 36); // the middle of the transaction
    const report = await LogBackend.repair({ dir });
    expect(report.recordsKept).toBe(2);
    const repaired = await openLog({ dir });
    expect(await repaired.getMany(['k0', 'k1', 'k2', 'k3', 'k4'])).toEqual([
      'value-0',
      undefined,
      undefined,
      undefined,
      'value-4',
    ]);
  });

  it('repair of an intact store changes nothing', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    const before = readFileSync(join(dir, '000001.data'));
    expect(await LogBackend.repair({ dir })).toEqual({
      ok: true,
      recordsKept: 1,
      bytesLost: 0,
      repaired: [],
      missing: [],
    });
    expect(readFileSync(join(dir, '000001.data'))).toEqual(before);
  });

  it('repair refuses while the store is open', async () => {
    const dir = tempDir();
    await openLog({ dir });
    await expect(LogBackend.repair({ dir })).rejects.toMatchObject({ code: 'LOCKED', origin: '@stowage/log' });
  });

  it('verify reports damaged records and hint files of an open store', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 40; i++) await log.set(`key-${i}`, 'x'.repeat(50));
    await log.merge();
    for (let i = 0; i < 10; i++) await log.set(`more-${i}`, 'y'.repeat(50));
    const clean = await log.verify();
    expect(clean.ok).toBe(true);
    expect(clean.hintFiles).toBeGreaterThan(0);
    expect(clean.records).toBeGreaterThanOrEqual(50);

    const stats = await log.stats();
    const merged = stats.files.find((file) => file.kind === 'merged')!;
    const hint = join(dir, merged.file.replace('.data', '.hint'));
    flipByte(hint, 20);
    flipByte(join(dir, merged.file), FILE_HEADER_SIZE + 40);
    const damaged = await log.verify();
    expect(damaged.ok).toBe(false);
    expect(damaged.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: merged.file, offset: FILE_HEADER_SIZE }),
        expect.objectContaining({ file: merged.file.replace('.data', '.hint'), reason: 'hint file checksum mismatch' }),
      ]),
    );
  });
});
