/**
 * Recovery, verify and repair on real files: a torn WAL tail is cut at open; damage in the
 * middle of a WAL, a damaged or missing segment are CORRUPTION naming the file; repair()
 * cuts or rewrites what is damaged and the store opens again with every intact entry; a
 * second opener is refused with LOCKED.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { SegmentBackend } from './segment-backend.js';
import { keyOf, tempDir } from './test-helpers.fixture.js';

const small = { memtableBytes: 8 * 1024, blockSize: 512, autoCompact: false } as const;

async function filled(count: number): Promise<string> {
  const dir = tempDir();
  const store = new SegmentBackend({ dir, ...small });
  await store.open();
  for (let n = 0; n < count; n += 50) {
    await store.apply(
      Array.from({ length: 50 }, (_, i) => ({ type: 'set' as const, key: keyOf(n + i), value: `value-${n + i}` })),
    );
  }
  await store.close();
  return dir;
}

const files = (dir: string, ending: string) => readdirSync(dir).filter((name) => name.endsWith(ending));

async function openError(dir: string): Promise<unknown> {
  const store = new SegmentBackend({ dir, ...small });
  try {
    await store.open();
  } catch (error) {
    return error;
  }
  await store.close();
  return undefined;
}

describe('recovery, verify and repair', () => {
  it('replays the WAL and cuts a torn tail', async () => {
    const dir = tempDir();
    const store = new SegmentBackend({ dir, memtableBytes: 1024 * 1024 });
    await store.open();
    await store.set('a', '1');
    await store.set('b', '2');
    await store.close();
    const [wal] = files(dir, '.wal');
    appendFileSync(join(dir, wal!), Buffer.from([1, 2, 3, 4, 5, 6, 7])); // a torn record
    const reopened = new SegmentBackend({ dir });
    await reopened.open();
    expect(await reopened.getMany(['a', 'b'])).toEqual(['1', '2']);
    expect((await reopened.stats()).recovery.truncatedBytes).toBe(7);
    expect((await reopened.verify()).problems).toEqual([]);
    await reopened.close();
  });

  it('refuses damage inside the WAL with CORRUPTION naming it, and repair cuts it off', async () => {
    const dir = tempDir();
    const store = new SegmentBackend({ dir, memtableBytes: 1024 * 1024 });
    await store.open();
    for (let n = 0; n < 10; n++) await store.set(keyOf(n), `v${n}`);
    await store.close();
    const [wal] = files(dir, '.wal');
    const path = join(dir, wal!);
    const bytes = readFileSync(path);
    // Header 16 bytes, then records of 30 bytes (8 header, 4 count, 9 operation header, 7 key, 2 value):
    // a byte of the third record, with intact records after it.
    bytes[16 + 2 * 30 + 20]! ^= 0xff;
    writeFileSync(path, bytes);
    const error = await openError(dir);
    expect(StowageError.is(error) && error.code).toBe('CORRUPTION');
    expect((error as StowageError).file).toBe(path);
    const report = await SegmentBackend.repair({ dir });
    expect(report.wals.length).toBe(1);
    expect(report.wals[0]!.lostBytes).toBeGreaterThan(0);
    const reopened = new SegmentBackend({ dir });
    await reopened.open();
    expect(await reopened.getMany([keyOf(0), keyOf(1), keyOf(2), keyOf(9)])).toEqual([
      'v0',
      'v1',
      undefined,
      undefined,
    ]);
    await reopened.close();
  });

  it('finds a flipped byte in a segment with verify, refuses to open it, and repair keeps the intact blocks', async () => {
    const dir = await filled(2000);
    const store = new SegmentBackend({ dir, ...small });
    await store.open();
    await store.compact();
    const segments = files(dir, '.seg');
    expect(segments.length).toBeGreaterThan(0);
    const victim = join(dir, segments[0]!);
    const bytes = readFileSync(victim);
    bytes[100]! ^= 0x01; // inside the first data block
    writeFileSync(victim, bytes);
    const verified = await store.verify();
    expect(verified.problems.map((problem) => problem.file)).toContain(victim);
    await store.close();
    // Opening reads header, footer, filter and index only: the data block damage shows on read.
    const reopened = new SegmentBackend({ dir, ...small });
    await reopened.open();
    const scan = async () => {
      for await (const _ of reopened.entries()) {
        // reads every block
      }
    };
    await expect(scan()).rejects.toMatchObject({ code: 'CORRUPTION', file: victim });
    await reopened.close();
    const report = await SegmentBackend.repair({ dir });
    expect(report.segments.map((segment) => segment.file)).toEqual([victim]);
    expect(report.segments[0]!.lostBlocks).toBe(1);
    const repaired = new SegmentBackend({ dir, ...small });
    await repaired.open();
    let count = 0;
    for await (const [key, value] of repaired.entries()) {
      expect(value).toBe(`value-${Number(key.slice(1))}`);
      count++;
    }
    expect(count).toBeGreaterThan(1800);
    expect(count).toBeLessThan(2000);
    expect((await repaired.verify()).problems).toEqual([]);
    await repaired.close();
  });

  it('names a missing listed segment in CORRUPTION', async () => {
    const dir = await filled(1000);
    const [segment] = files(dir, '.seg');
    rmSync(join(dir, segment!));
    const error = await openError(dir);
    expect(StowageError.is(error) && error.code).toBe('CORRUPTION');
    expect((error as StowageError).file).toBe(join(dir, segment!));
  });

  it('refuses a second opener with LOCKED, and removes files the manifest does not list', async () => {
    const dir = await filled(500);
    writeFileSync(join(dir, '999999.seg'), 'left by an interrupted compaction');
    const store = new SegmentBackend({ dir, ...small });
    await store.open();
    expect(files(dir, '.seg')).not.toContain('999999.seg');
    const second = new SegmentBackend({ dir, ...small });
    await expect(second.open()).rejects.toMatchObject({ code: 'LOCKED' });
    const stats = await store.stats();
    expect(stats.files).toBeGreaterThan(0);
    expect(stats.filterBitsPerKey).toBeGreaterThan(9);
    expect(stats.recovery.removedOrphans).toBe(1);
    await store.close();
  });

  it("sweeps temp files of dead writers at open, and keeps a live process's", async () => {
    const dir = await filled(200);
    // A pid that ran and exited: its temp file is debris. The parent of this test process is alive.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const debris = `.000042.seg.${dead}-0123456789ab.tmp`;
    const live = `.000043.seg.${process.ppid}-0123456789ab.tmp`;
    writeFileSync(join(dir, debris), 'half a segment');
    writeFileSync(join(dir, live), 'a rival still writing');
    const store = new SegmentBackend({ dir, ...small });
    await store.open();
    expect(readdirSync(dir)).not.toContain(debris);
    expect(readdirSync(dir)).toContain(live);
    expect((await store.stats()).recovery.removedOrphans).toBe(1);
    await store.close();
  });
});

/** A closed store holding `writes` in its WAL only (a large memtable: nothing flushed); its folder and WAL name. */
async function walOnly(writes: [string, string][]): Promise<{ dir: string; wal: string }> {
  const dir = tempDir();
  const store = new SegmentBackend({ dir, memtableBytes: 1024 * 1024 });
  await store.open();
  for (const [key, value] of writes) await store.set(key, value);
  await store.close();
  const [wal] = files(dir, '.wal');
  return { dir, wal: wal! };
}

describe('recovery order and bookkeeping', () => {
  it('replays WAL files in number order, 9 before 10, so the newer write wins', async () => {
    const older = await walOnly([
      ['k', 'old'],
      ['only-old', '1'],
    ]);
    const newer = await walOnly([['k', 'new']]);
    renameSync(join(older.dir, older.wal), join(older.dir, '000009.wal'));
    copyFileSync(join(newer.dir, newer.wal), join(older.dir, '000010.wal'));
    const store = new SegmentBackend({ dir: older.dir });
    await store.open();
    expect(await store.getMany(['k', 'only-old'])).toEqual(['new', '1']);
    const { recovery } = await store.stats();
    expect(recovery.walFiles).toBe(2);
    expect(recovery.replayedChanges).toBe(3);
    // Numbers go on above the highest file present, whatever the manifest said.
    expect(files(older.dir, '.wal').map((name) => Number.parseInt(name, 10))).toEqual([11]);
    await store.close();
  });

  it('skips WAL files below the manifest log number and removes them without counting them as orphans', async () => {
    const { dir, wal } = await walOnly([['a', '1']]);
    const store = new SegmentBackend({ dir });
    await store.open();
    await store.close();
    // The replayed write is in a segment now; the old WAL is gone, a new one is active.
    expect(files(dir, '.wal')).not.toContain(wal);
    // An old WAL put back below the log number would replay a stale write if it were read.
    const stale = await walOnly([['a', 'stale']]);
    copyFileSync(join(stale.dir, stale.wal), join(dir, '000001.wal'));
    const reopened = new SegmentBackend({ dir });
    await reopened.open();
    expect(await reopened.getMany(['a'])).toEqual(['1']);
    const { recovery } = await reopened.stats();
    expect(recovery.replayedChanges).toBe(0);
    expect(recovery.removedOrphans).toBe(0);
    expect(files(dir, '.wal')).not.toContain('000001.wal');
    await reopened.close();
  });

  it('refuses segment files without a manifest with CORRUPTION naming the manifest', async () => {
    const dir = await filled(1000);
    rmSync(join(dir, 'MANIFEST'));
    const error = await openError(dir);
    expect(StowageError.is(error) && error.code).toBe('CORRUPTION');
    expect((error as StowageError).file).toBe(join(dir, 'MANIFEST'));
    // Only WAL files and no manifest is a store that never flushed: it opens.
    const { dir: fresh } = await walOnly([['x', '1']]);
    rmSync(join(fresh, 'MANIFEST'), { force: true });
    const store = new SegmentBackend({ dir: fresh });
    await store.open();
    expect(await store.getMany(['x'])).toEqual(['1']);
    await store.close();
  });

  it('refuses a segment holding another entry count than the manifest lists, naming the segment', async () => {
    const dir = await filled(1000);
    const path = join(dir, 'MANIFEST');
    const [json] = readFileSync(path, 'utf8').split('\n');
    const manifest = JSON.parse(json!) as { levels: { number: number; entries: number }[][] };
    const meta = manifest.levels.flat()[0]!;
    meta.entries += 1;
    const body = JSON.stringify(manifest);
    writeFileSync(path, `${body}\n${crc32c(Buffer.from(body)).toString(16).padStart(8, '0')}\n`);
    const error = await openError(dir);
    expect(StowageError.is(error) && error.code).toBe('CORRUPTION');
    expect((error as StowageError).file).toBe(join(dir, `${String(meta.number).padStart(6, '0')}.seg`));
    expect((error as StowageError).offset).toBe(0);
  });
});
