import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { countingFileSystem, openLog, tempDir } from './test-helpers.fixture.js';

describe('group commit', () => {
  it('concurrent sets with durability batch share one append and one fsync', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'batch' });
    counts.appends = 0;
    counts.syncs = 0;
    await Promise.all(Array.from({ length: 500 }, (_, i) => log.set(`key-${i}`, `value-${i}`)));
    expect(counts.appends).toBe(1);
    expect(counts.syncs).toBe(1);
    expect(await log.get('key-499')).toBe('value-499');
  });

  it('writes arriving while an fsync runs share the next one', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'batch' });
    counts.syncs = 0;
    const first = log.set('first', '1');
    await new Promise((resolve) => setImmediate(resolve)); // the first group is now syncing
    const rest = Array.from({ length: 50 }, (_, i) => log.set(`later-${i}`, 'x'));
    await Promise.all([first, ...rest]);
    expect(counts.syncs).toBe(2);
  });

  it('a write resolves only after the fsync of its group completed', async () => {
    const { fs } = countingFileSystem();
    let release: (() => void) | undefined;
    let syncing = false;
    const gated = {
      ...fs,
      open: (path: string, mode: Parameters<typeof fs.open>[1]) => {
        const handle = fs.open(path, mode);
        return Object.assign(Object.create(handle) as typeof handle, {
          sync: async () => {
            if (syncing) await new Promise<void>((resolve) => (release = resolve));
            return handle.sync();
          },
        });
      },
    };
    const log = await openLog({ fs: gated, durability: 'always' });
    syncing = true;
    let resolved = false;
    const write = log.set('k', 'v').then(() => (resolved = true));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(false);
    expect(release).toBeDefined();
    // Not durable yet, so not visible either: a power cut could still take it back.
    expect(await log.get('k')).toBeUndefined();
    expect(await log.has('k')).toBe(false);
    syncing = false;
    release?.();
    await write;
    expect(resolved).toBe(true);
  });

  it('with durability always a write commits in its own tick, where batch waits a macrotask for company', async () => {
    const started: Record<string, number> = {};
    for (const durability of ['always', 'batch'] as const) {
      const { fs, counts } = countingFileSystem();
      const log = await openLog({ fs, durability });
      counts.syncs = 0;
      const first = log.set('a', '1');
      for (let i = 0; i < 20; i++) await Promise.resolve();
      started[durability] = counts.syncs;
      await Promise.all([first, log.set('b', '2')]);
    }
    expect(started).toEqual({ always: 1, batch: 0 });
  });

  it('durability none never fsyncs a write, only on close', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'none' });
    counts.syncs = 0;
    for (let i = 0; i < 20; i++) await log.set(`k${i}`, 'v');
    // A burst goes through the queue as a group: no fsync there either.
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.set(`burst-${i}`, 'v')));
    expect(counts.syncs).toBe(0);
    await log.close();
    expect(counts.syncs).toBe(1);
  });

  it('durability always fsyncs each group of writes', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'always' });
    counts.syncs = 0;
    await log.set('a', '1');
    await log.set('b', '2');
    await Promise.all([log.set('c', '3'), log.set('d', '4')]);
    expect(counts.syncs).toBe(3);
  });

  it('every resolved write survives a power cut with batch and always', async () => {
    for (const durability of ['batch', 'always'] as const) {
      const disk = new SimulatedDisk({ seed: 7 });
      const first = new LogBackend({ dir: '/store', fs: disk.mount(), durability });
      await first.open();
      await Promise.all(Array.from({ length: 100 }, (_, i) => first.set(`k${i}`, `v${i}`)));
      await first.delete('k3');
      disk.powerCut({ mode: 'tear' });
      const second = new LogBackend({ dir: '/store', fs: disk.mount(), durability });
      await second.open();
      expect(await second.size()).toBe(99);
      expect(await second.get('k99')).toBe('v99');
      expect(await second.get('k3')).toBeUndefined();
      await second.close();
    }
  });

  it('a failed fsync rejects the writes, undoes them, and the store works again', async () => {
    const disk = new SimulatedDisk();
    const log = new LogBackend({ dir: '/store', fs: disk.mount() });
    await log.open();
    await log.set('kept', '1');
    disk.failNext('sync', 'EIO');
    await expect(log.set('lost', '2')).rejects.toMatchObject({ code: 'IO' });
    expect(await log.get('lost')).toBeUndefined();
    expect(await log.get('kept')).toBe('1');
    await log.set('after', '3');
    await log.close();
    disk.powerCut({ mode: 'lose-all' });
    const again = new LogBackend({ dir: '/store', fs: disk.mount() });
    await again.open();
    expect(await again.getMany(['kept', 'lost', 'after'])).toEqual(['1', undefined, '3']);
    await again.close();
  });

  it('a failed append rejects only its group and the store keeps working', async () => {
    const disk = new SimulatedDisk();
    const dir = '/store';
    const log = new LogBackend({ dir, fs: disk.mount() });
    await log.open();
    disk.failNext('append', 'ENOSPC');
    await expect(log.set('refused', '1')).rejects.toMatchObject({ code: 'IO' });
    await log.set('accepted', '2');
    await log.close();
    const again = new LogBackend({ dir, fs: disk.mount() });
    await again.open();
    expect(await again.get('refused')).toBeUndefined();
    expect(await again.get('accepted')).toBe('2');
    await again.close();
  });

  it.each([
    ['append', 'ENOSPC'],
    ['sync', 'EIO'],
  ] as const)(
    'when the cut back after a failed %s fails too, the write rejects and the store refuses later writes',
    async (operation, code) => {
      const disk = new SimulatedDisk();
      const log = new LogBackend({ dir: '/store', fs: disk.mount() });
      await log.open();
      try {
        await log.set('kept', '1');
        disk.failNext(operation, code);
        disk.failNext('truncate', 'EIO');
        await expect(log.set('lost', '2')).rejects.toMatchObject({ code: 'IO' });
        // What the file holds past its last good group is unknown: nothing more goes on it.
        await expect(log.set('later', '3')).rejects.toMatchObject({ code: 'IO' });
        expect(await log.getMany(['kept', 'lost', 'later'])).toEqual(['1', undefined, undefined]);
      } finally {
        await log.close().catch(() => undefined);
      }
    },
  );

  it('when a group rotates files and its first chunk can be neither appended nor cut back, every change of the group rejects', async () => {
    const disk = new SimulatedDisk();
    const log = new LogBackend({ dir: '/store', fs: disk.mount(), maxFileSize: 1024 });
    await log.open();
    try {
      disk.failNext('append', 'ENOSPC');
      disk.failNext('truncate', 'EIO');
      // One group, about twice a file's size: its first chunk is appended when the file is full.
      const writes = Array.from({ length: 10 }, (_, i) => log.set(`k${i}`, 'v'.repeat(200)));
      const settled = await Promise.allSettled(writes);
      expect(settled.map((result) => result.status)).toEqual(settled.map(() => 'rejected'));
      expect(await log.has('k9')).toBe(false);
      expect((await log.stats()).files.length).toBe(1);
    } finally {
      await log.close().catch(() => undefined);
    }
  });

  it('a group larger than a file rotates part-way, so no file grows past maxFileSize', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, durability: 'batch', maxFileSize: 1024 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.set(`k${i}`, 'v'.repeat(200))));
    const sizes = readdirSync(dir)
      .filter((name) => name.endsWith('.data'))
      .map((name) => statSync(join(dir, name)).size);
    expect(sizes.length).toBeGreaterThan(3);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(1024);
    expect(await log.get('k19')).toBe('v'.repeat(200));
  });

  it.each(['none', 'batch'] as const)(
    '(durability %s) a record over maxFileSize fills an empty file, and a change writing nothing starts none',
    async (durability) => {
      const dir = tempDir();
      const log = await openLog({ dir, durability, maxFileSize: 1024 });
      const dataFiles = () => readdirSync(dir).filter((name) => name.endsWith('.data')).length;
      await log.set('big', 'b'.repeat(2000)); // the active file is empty: no rotation before it
      expect(dataFiles()).toBe(1);
      // The file is past its limit, but a deletion of an absent key writes nothing: no new file for it.
      expect(await log.delete('absent')).toBe(false);
      await log.apply([]);
      expect(dataFiles()).toBe(1);
      await log.set('next', 'n');
      expect(dataFiles()).toBe(2);
      expect(await log.getMany(['big', 'next'])).toEqual(['b'.repeat(2000), 'n']);
    },
  );

  it.each(['none', 'batch'] as const)(
    '(durability %s) a file may fill to exactly maxFileSize; one byte more starts the next',
    async (durability) => {
      const dir = tempDir();
      const log = await openLog({ dir, durability, maxFileSize: 1024 });
      const dataFiles = () => readdirSync(dir).filter((name) => name.endsWith('.data')).length;
      await log.set('a', 'x'.repeat(100)); // 16 + 32 + 1 + 100 = 149 bytes
      await log.set('b', 'y'.repeat(1024 - 149 - 33)); // to exactly 1024
      expect(statSync(join(dir, '000001.data')).size).toBe(1024);
      expect(dataFiles()).toBe(1);
      await log.set('c', ''); // a header and a key: past the limit
      expect(dataFiles()).toBe(2);
    },
  );

  it('a group that writes nothing appends and fsyncs nothing', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'always' });
    await log.set('k', 'v');
    counts.appends = 0;
    counts.syncs = 0;
    expect(await log.delete('absent')).toBe(false);
    await Promise.all([log.delete('absent'), log.apply([]), log.clear({ prefix: 'none-' })]);
    expect(counts).toMatchObject({ appends: 0, syncs: 0 });
  });

  it('changes queued behind a write in the same group see it', async () => {
    const log = await openLog({ durability: 'batch' });
    const results = await Promise.all([
      log.set('a', '1'),
      log.delete('a'),
      log.set('b', '2'),
      log.set('c', '3'),
      log.clear({ prefix: 'b' }),
    ]);
    expect(results[1]).toBe(true);
    expect(await log.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, '3']);
  });

  it('a delete and a clear queued behind writes of the same group see them: nothing deleted twice, nothing absent deleted', async () => {
    const log = await openLog({ durability: 'batch' });
    for (const key of ['w', 'y', 'z']) await log.set(key, '0');
    const before = (await log.stats()).lastSequence;
    const results = await Promise.all([
      log.set('x', '1'),
      log.set('y', '1'),
      log.delete('z'),
      log.delete('z'), // already deleted ahead of it in the group: writes nothing
      log.clear(),
    ]);
    expect(results.slice(2, 4)).toEqual([true, false]);
    // x, y, the deletion of z, then one deletion each for w, x and y.
    expect((await log.stats()).lastSequence - before).toBe(6);
    expect(await log.size()).toBe(0);
  });

  it('a transaction conflicts with a write committed ahead of it in the same group', async () => {
    const log = await openLog({ durability: 'batch' });
    await log.set('k', 'old');
    let outside: Promise<void> | undefined;
    const committing = log.transaction(async (tx) => {
      expect(await tx.get('k')).toBe('old');
      outside = log.set('k', 'outside'); // queued ahead of this commit, not yet durable
      await tx.set('k', 'inside');
    });
    await expect(committing).rejects.toMatchObject({ code: 'CONFLICT' });
    await outside;
    expect(await log.get('k')).toBe('outside');
  });

  it('a CONFLICT settles with its group, so the write it lost to is visible when it arrives', async () => {
    const log = await openLog({ durability: 'batch' });
    await log.set('k', 'old');
    let outside: Promise<void> | undefined;
    const committing = log.transaction(async (tx) => {
      await tx.get('k');
      outside = log.set('k', 'outside'); // the same group as the commit, ahead of it
      await tx.set('k', 'inside');
    });
    // A retry starting here takes a snapshot that already holds the winning write.
    const seen = await committing.then(
      () => 'committed',
      async (error: { code?: string }) => `${error.code} ${await log.get('k')}`,
    );
    expect(seen).toBe('CONFLICT outside');
    await outside;
  });
});
