import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { countingFileSystem, openLog, tempDir } from './test-helpers.fixture.js';

async function contents(log: LogBackend): Promise<Map<string, unknown>> {
  const result = new Map<string, unknown>();
  for await (const [key, value] of log.entries()) result.set(key, value);
  return result;
}

describe('merge', () => {
  it('keeps live values, drops overwritten and deleted ones, and writes hint files', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 2048 });
    const model = new Map<string, unknown>();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 40; i++) {
        const value = `r${round}-${i}-${'v'.repeat(20)}`;
        await log.set(`key-${i}`, value);
        model.set(`key-${i}`, value);
      }
    }
    for (let i = 0; i < 40; i += 3) {
      await log.delete(`key-${i}`);
      model.delete(`key-${i}`);
    }
    const before = await log.stats();
    const report = await log.merge();
    const after = await log.stats();
    expect(report.filesMerged).toBe(before.files.length - 1);
    expect(after.deadBytes).toBeLessThan(before.deadBytes);
    expect(after.files.filter((file) => file.kind === 'merged').every((file) => file.hasHint)).toBe(true);
    expect(readdirSync(dir).some((name) => name.endsWith('.hint'))).toBe(true);
    expect(await contents(log)).toEqual(model);
    expect((await log.verify()).ok).toBe(true);
    await log.close();

    const reopened = await openLog({ dir, maxFileSize: 2048 });
    expect(await contents(reopened)).toEqual(model);
    expect((await reopened.stats()).recovery).toEqual([]);
  });

  it('a deletion stays deleted through merges and reopen', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    await log.set('doomed', 'x'.repeat(500));
    await log.merge(); // nothing immutable yet
    for (let i = 0; i < 10; i++) await log.set(`pad-${i}`, 'p'.repeat(200));
    await log.merge(); // 'doomed' now lives in a merged file
    await log.delete('doomed');
    for (let i = 0; i < 10; i++) await log.set(`pad-${i}`, 'q'.repeat(200));
    await log.merge();
    await log.close();
    const again = await openLog({ dir, maxFileSize: 1024 });
    expect(await again.get('doomed')).toBeUndefined();
    expect(await again.get('pad-9')).toBe('q'.repeat(200));
  });

  it('reads and writes go on during a merge, and a key written meanwhile keeps its newer value', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 4096 });
    const model = new Map<string, unknown>();
    for (let i = 0; i < 3000; i++) {
      const key = `k${i % 1000}`;
      model.set(key, `v${i}`);
    }
    await Promise.all([...model].map(([key]) => log.set(key, 'stale')));
    await Promise.all([...model].map(([key, value]) => log.set(key, value as string)));
    const merging = log.merge();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const key = `k${(i * 7) % 1000}`;
      if (i % 5 === 0) {
        model.delete(key);
        writes.push(log.delete(key));
      } else {
        model.set(key, `during-${i}`);
        writes.push(log.set(key, `during-${i}`));
      }
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const reads = await Promise.all([...model.keys()].slice(0, 50).map((key) => log.get(key)));
    expect(reads.every((value) => value !== undefined)).toBe(true);
    await Promise.all([merging, ...writes]);
    expect(await contents(log)).toEqual(model);
    await log.close();
    const again = await openLog({ dir, maxFileSize: 4096 });
    expect(await contents(again)).toEqual(model);
  });

  it('a power cut at any point of a merge loses nothing and resurrects nothing', async () => {
    // Build a store, then cut the power at every call of the merge in turn.
    const build = async () => {
      const disk = new SimulatedDisk({ seed: 3 });
      const log = new LogBackend({ dir: '/s', fs: disk.mount(), maxFileSize: 1024 });
      await log.open();
      for (let i = 0; i < 30; i++) await log.set(`k${i % 12}`, `v${i}-${'x'.repeat(60)}`);
      for (let i = 0; i < 12; i += 4) await log.delete(`k${i}`);
      await log.set('tail', 't'.repeat(700));
      return { disk, log };
    };
    const expected = await (async () => {
      const { log } = await build();
      const model = await contents(log);
      await log.close();
      return model;
    })();
    const probe = await build();
    const start = probe.disk.calls;
    await probe.log.merge();
    const mergeCalls = probe.disk.calls - start;
    await probe.log.close();
    expect(mergeCalls).toBeGreaterThan(10);
    for (let cutAt = 1; cutAt <= mergeCalls; cutAt++) {
      const { disk, log } = await build();
      disk.cutAfter(cutAt);
      await log.merge().catch(() => undefined);
      disk.powerCut();
      const reopened = new LogBackend({ dir: '/s', fs: disk.mount(), maxFileSize: 1024 });
      await reopened.open();
      expect(await contents(reopened)).toEqual(expected);
      await reopened.close();
    }
  });

  it('a merge with no immutable file changes nothing', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    const report = await log.merge();
    expect(report.filesMerged).toBe(0);
    expect(existsSync(join(dir, '000001.data'))).toBe(true);
    expect((await log.stats()).lastMerge).toEqual(report);
  });

  it('a merge with nothing to merge touches no file: no list rewritten, no folder fsync', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs });
    await log.set('a', '1');
    counts.directorySyncs = 0;
    const report = await log.merge();
    expect(report).toMatchObject({ filesMerged: 0, filesWritten: 0, bytesAfter: 0, recordsKept: 0 });
    expect(counts.directorySyncs).toBe(0);
  });

  it('a merge never takes the active log file: it stays, and writes go on into it', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 8; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    const active = (await log.stats()).files.find((file) => file.active)!;
    await log.merge();
    const after = (await log.stats()).files.find((file) => file.active)!;
    expect(after.file).toBe(active.file);
    expect(after.bytes).toBe(active.bytes);
    expect(existsSync(join(dir, active.file))).toBe(true);
    await log.set('later', 'x');
    await log.close();
    const again = await openLog({ dir, maxFileSize: 1024 });
    expect(await again.getMany(['k0', 'k7', 'later'])).toEqual([`0-${'v'.repeat(200)}`, `7-${'v'.repeat(200)}`, 'x']);
  });
});
