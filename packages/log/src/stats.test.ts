/**
 * `stats()` figures, checked against the records written: each file's bytes split into the
 * live records (a key's current value, key measured in UTF-8) and the rest, which a merge
 * can reclaim; the store's totals, key count and last sequence.
 */
import { describe, expect, it } from 'vitest';
import { FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import { openLog } from './test-helpers.fixture.js';

const size = (key: string, value: string) => RECORD_HEADER_SIZE + Buffer.byteLength(key) + Buffer.byteLength(value);

describe('stats', () => {
  it('splits a file into live and dead bytes by the records that hold current values', async () => {
    const log = await openLog();
    await log.set('ключ', 'v'); // an 8-byte key in UTF-8
    await log.set('a', 'x'.repeat(100));
    await log.set('a', 'y'.repeat(100));
    await log.set('gone', '1');
    await log.delete('gone');
    const live = size('ключ', 'v') + size('a', 'y'.repeat(100));
    const dead = size('a', 'x'.repeat(100)) + size('gone', '1') + size('gone', '');
    const bytes = FILE_HEADER_SIZE + live + dead;
    expect(await log.stats()).toEqual({
      keys: 2,
      files: [
        { file: '000001.data', kind: 'log', bytes, liveBytes: live, deadBytes: dead, hasHint: false, active: true },
      ],
      liveBytes: live,
      deadBytes: dead,
      lastSequence: 5,
      lastMerge: undefined,
      recovery: [],
    });
  });

  it('adds up every file, each with its own live bytes', async () => {
    const log = await openLog({ maxFileSize: 1024 });
    for (let i = 0; i < 6; i++) await log.set(`k${i}`, 'v'.repeat(300));
    await log.set('k0', 'short');
    const stats = await log.stats();
    expect(stats.files.length).toBeGreaterThan(1);
    expect(stats.files.filter((file) => file.active).length).toBe(1);
    expect(stats.liveBytes).toBe(size('k0', 'short') + 5 * size('k1', 'v'.repeat(300)));
    expect(stats.liveBytes).toBe(stats.files.reduce((sum, file) => sum + file.liveBytes, 0));
    expect(stats.deadBytes).toBe(stats.files.reduce((sum, file) => sum + file.deadBytes, 0));
    for (const file of stats.files) expect(file.liveBytes + file.deadBytes).toBe(file.bytes - FILE_HEADER_SIZE);
    expect(stats.deadBytes).toBe(size('k0', 'v'.repeat(300)));
  });
});
