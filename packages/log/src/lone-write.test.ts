/**
 * The lone-write path of the commit pipeline: with durability none, a change with nothing
 * queued or in flight is appended and published inside the call, without the group
 * commit queue. Every guarantee of the queue holds on it: order, bursts sharing an append,
 * transactions' conflicts, rotation, and a failed append leaving the store as it was.
 */
import { readdirSync } from 'node:fs';
import { type FileHandle, type FileSystem, nodeFileSystem } from '@stowage/fs';
import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { countingFileSystem, openLog, tempDir } from './test-helpers.fixture.js';

/** A file system whose data-file appends can be made to fail after writing part of their bytes. */
function faultyAppends(): { fs: FileSystem; faults: { tornAppend: boolean; failTruncate: boolean } } {
  const faults = { tornAppend: false, failTruncate: false };
  const failure = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
  const wrap = (handle: FileHandle): FileHandle => ({
    get path() {
      return handle.path;
    },
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    write: (data, position) => handle.write(data, position),
    append: (data) => {
      if (faults.tornAppend && handle.path.endsWith('.data')) {
        faults.tornAppend = false;
        handle.append(data.subarray(0, Math.ceil(data.byteLength / 2)));
        throw failure('ENOSPC');
      }
      return handle.append(data);
    },
    size: () => handle.size(),
    truncate: (size) => {
      if (faults.failTruncate) throw failure('EIO');
      handle.truncate(size);
    },
    sync: () => handle.sync(),
    close: () => handle.close(),
  });
  return { fs: { ...nodeFileSystem, open: (path, mode) => wrap(nodeFileSystem.open(path, mode)) }, faults };
}

describe('lone writes with durability none', () => {
  it('a lone write is appended and visible before set returns, without waiting for a group', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'none' });
    counts.appends = 0;
    const writing = log.set('k', 'v');
    expect(counts.appends).toBe(1);
    await writing;
    expect(await log.get('k')).toBe('v');
  });

  it("the first write of every later tick goes straight to the file too, not only the store's first", async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'none' });
    await log.set('a', '1');
    await new Promise((resolve) => setImmediate(resolve));
    counts.appends = 0;
    const writing = log.set('b', '2');
    expect(counts.appends).toBe(1);
    await writing;
    expect(await log.get('b')).toBe('2');
  });

  it('a burst of writes in one tick still shares appends, and every write lands', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'none' });
    counts.appends = 0;
    await Promise.all(Array.from({ length: 500 }, (_, i) => log.set(`key-${i}`, `value-${i}`)));
    expect(counts.appends).toBeLessThanOrEqual(2);
    expect(await log.size()).toBe(500);
    expect(await log.get('key-0')).toBe('value-0');
    expect(await log.get('key-499')).toBe('value-499');
  });

  it('sets, deletes, batches and clears one after another keep their order, also after a reopen', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, durability: 'none' });
    const model = new Map<string, string>();
    for (let i = 0; i < 300; i++) {
      const key = `k${i % 37}`;
      if (i % 5 === 0) {
        expect(await log.delete(key)).toBe(model.delete(key));
      } else if (i % 11 === 0) {
        await log.apply([
          { type: 'set', key, value: `batch-${i}` },
          { type: 'delete', key: `k${(i + 1) % 37}` },
        ]);
        model.set(key, `batch-${i}`);
        model.delete(`k${(i + 1) % 37}`);
      } else if (i === 150) {
        await log.clear({ prefix: 'k1' });
        for (const existing of [...model.keys()]) if (existing.startsWith('k1')) model.delete(existing);
      } else {
        await log.set(key, `set-${i}`);
        model.set(key, `set-${i}`);
      }
    }
    const expected = Object.fromEntries([...model].sort());
    const read = async (backend: typeof log) => {
      const entries: [string, unknown][] = [];
      for await (const entry of backend.entries()) entries.push(entry);
      return Object.fromEntries(entries.sort());
    };
    expect(await read(log)).toEqual(expected);
    await log.close();
    const again = await openLog({ dir, durability: 'none' });
    expect(await read(again)).toEqual(expected);
  });

  it('deleting an absent key writes nothing and resolves false', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'none' });
    counts.appends = 0;
    expect(await log.delete('never-set')).toBe(false);
    expect(counts.appends).toBe(0);
  });

  it('a lone write whose append fails part-way rejects with IO and leaves file and store as they were', async () => {
    const dir = tempDir();
    const { fs, faults } = faultyAppends();
    const log = await openLog({ dir, fs, durability: 'none' });
    await log.set('k', 'before');
    const bytesOnDisk = async () => (await log.stats()).files.reduce((sum, file) => sum + file.bytes, 0);
    const sizeBefore = await bytesOnDisk();
    faults.tornAppend = true;
    await expect(log.set('k', 'lost')).rejects.toMatchObject({ code: 'IO' });
    expect(await bytesOnDisk()).toBe(sizeBefore);
    expect(await log.get('k')).toBe('before');
    await log.set('other', 'written');
    await log.delete('other');
    await log.close();
    const again = await openLog({ dir, durability: 'none' });
    expect(await again.get('k')).toBe('before');
    expect(await again.get('other')).toBeUndefined();
    // The torn half was cut off, not left for recovery to find.
    expect((await again.stats()).recovery).toEqual([]);
  });

  it('a lone batch whose append fails part-way writes none of its operations', async () => {
    const dir = tempDir();
    const { fs, faults } = faultyAppends();
    const log = await openLog({ dir, fs, durability: 'none' });
    await log.apply([
      { type: 'set', key: 'a', value: '1' },
      { type: 'set', key: 'b', value: '2' },
    ]);
    faults.tornAppend = true;
    await expect(
      log.apply([
        { type: 'set', key: 'a', value: 'lost' },
        { type: 'delete', key: 'b' },
        { type: 'set', key: 'c', value: 'lost' },
      ]),
    ).rejects.toMatchObject({ code: 'IO' });
    expect(await log.getMany(['a', 'b', 'c'])).toEqual(['1', '2', undefined]);
    await log.close();
    const again = await openLog({ dir, durability: 'none' });
    expect(await again.getMany(['a', 'b', 'c'])).toEqual(['1', '2', undefined]);
    expect((await again.stats()).recovery).toEqual([]);
  });

  it('when even the cut back fails, the write rejects and the store refuses later writes', async () => {
    const { fs, faults } = faultyAppends();
    const log = await openLog({ fs, durability: 'none' });
    await log.set('k', 'before');
    faults.tornAppend = true;
    faults.failTruncate = true;
    await expect(log.set('k', 'lost')).rejects.toMatchObject({ code: 'IO' });
    await expect(log.set('later', 'x')).rejects.toMatchObject({ code: 'IO' });
    expect(await log.get('k')).toBe('before');
    expect(await log.get('later')).toBeUndefined();
  });

  it('a store stopped by a failed cut back refuses deletes and batches too, and close fsyncs nothing', async () => {
    const { fs: faulty, faults } = faultyAppends();
    const { fs, counts } = countingFileSystem(faulty);
    const log = await openLog({ fs, durability: 'none' });
    await log.set('k', 'before');
    faults.tornAppend = true;
    faults.failTruncate = true;
    await expect(log.set('k', 'lost')).rejects.toMatchObject({ code: 'IO' });
    const appends = counts.appends;
    await expect(log.delete('k')).rejects.toMatchObject({ code: 'IO' });
    await expect(log.apply([{ type: 'set', key: 'b', value: '1' }])).rejects.toMatchObject({ code: 'IO' });
    expect(counts.appends).toBe(appends);
    expect(await log.get('k')).toBe('before');
    // What the file holds past its last good write is unknown: closing must not make it durable.
    counts.syncs = 0;
    await log.close();
    expect(counts.syncs).toBe(0);
  });

  it('a lone delete or batch is appended before the call returns, like a lone set', async () => {
    const { fs, counts } = countingFileSystem();
    const log = await openLog({ fs, durability: 'none' });
    await log.set('k', 'v');
    await new Promise((resolve) => setImmediate(resolve));
    counts.appends = 0;
    const deleting = log.delete('k');
    expect(counts.appends).toBe(1);
    expect(await deleting).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    const applying = log.apply([
      { type: 'set', key: 'a', value: '1' },
      { type: 'set', key: 'b', value: new Uint8Array([2]) },
    ]);
    expect(counts.appends).toBe(2);
    await applying;
    expect(await log.getMany(['k', 'a', 'b'])).toEqual([undefined, '1', new Uint8Array([2])]);
  });

  it('lone sets and batches keep bytes as bytes and strings as strings', async () => {
    const log = await openLog({ durability: 'none' });
    await log.set('bytes', new Uint8Array([1, 2, 3]));
    await log.apply([
      { type: 'set', key: 'batch-bytes', value: new Uint8Array([4]) },
      { type: 'set', key: 'batch-string', value: '5' },
    ]);
    await log.set('string', '6');
    expect(await log.getMany(['bytes', 'batch-bytes', 'batch-string', 'string'])).toEqual([
      new Uint8Array([1, 2, 3]),
      new Uint8Array([4]),
      '5',
      '6',
    ]);
  });

  it.each(['none', 'batch'] as const)(
    'flush (durability %s) makes durable every write issued before it, those still queued too',
    async (durability) => {
      const disk = new SimulatedDisk();
      const log = new LogBackend({ dir: '/store', fs: disk.mount(), durability });
      await log.open();
      // With none the first goes the lone way and the others of the tick are queued as a group;
      // with batch all three wait in the queue for the next macrotask.
      const writes = [log.set('a', '1'), log.set('b', '2'), log.set('c', '3')];
      await log.flush();
      disk.powerCut({ mode: 'lose-all' });
      await Promise.allSettled(writes);
      const again = new LogBackend({ dir: '/store', fs: disk.mount(), durability });
      await again.open();
      expect(await again.getMany(['a', 'b', 'c'])).toEqual(['1', '2', '3']);
      await again.close();
    },
  );

  it('a transaction conflicts with a lone write committed after its snapshot, and commits when nothing changed', async () => {
    const log = await openLog({ durability: 'none' });
    await log.set('k', 'old');
    await expect(
      log.transaction(async (tx) => {
        expect(await tx.get('k')).toBe('old');
        await log.set('k', 'outside');
        expect(await tx.get('k')).toBe('old');
        await tx.set('k', 'inside');
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', key: 'k' });
    expect(await log.get('k')).toBe('outside');
    await log.transaction(async (tx) => {
      await tx.set('k', 'inside');
      await tx.set('t', 'too');
    });
    expect(await log.getMany(['k', 't'])).toEqual(['inside', 'too']);
    for (const outside of [() => log.delete('k'), () => log.apply([{ type: 'set', key: 'k', value: 'batch' }])]) {
      await log.set('k', 'again');
      await expect(
        log.transaction(async (tx) => {
          await tx.get('k');
          await outside();
          await tx.set('k', 'inside');
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT', key: 'k' });
    }
    expect(await log.get('k')).toBe('batch');
  });

  it('lone writes past the size limit rotate to new files and keep every write in order', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, durability: 'none', maxFileSize: 1024 });
    for (let i = 0; i < 200; i++) await log.set(`k${i % 40}`, `value-${i}`);
    expect(readdirSync(dir).filter((name) => name.endsWith('.data')).length).toBeGreaterThan(5);
    await log.merge();
    for (let i = 200; i < 260; i++) await log.set(`k${i % 40}`, `value-${i}`);
    const expected = Array.from({ length: 40 }, (_, k) => `value-${k < 20 ? 240 + k : 200 + k}`);
    const keys = Array.from({ length: 40 }, (_, k) => `k${k}`);
    expect(await log.getMany(keys)).toEqual(expected);
    await log.close();
    const again = await openLog({ dir, durability: 'none', maxFileSize: 1024 });
    expect(await again.getMany(keys)).toEqual(expected);
  });

  it('lone batches and deletes past the size limit rotate too, and land whole in the next file', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, durability: 'none', maxFileSize: 1024 });
    for (let round = 0; round < 8; round++) {
      await log.apply([
        { type: 'set', key: `a${round}`, value: 'x'.repeat(150) },
        { type: 'set', key: `b${round}`, value: 'y'.repeat(150) },
      ]);
      expect(await log.delete(`a${round}`)).toBe(true);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.data')).length).toBeGreaterThan(2);
    const keys = Array.from({ length: 8 }, (_, round) => [`a${round}`, `b${round}`]).flat();
    const expected = keys.map((key) => (key.startsWith('a') ? undefined : 'y'.repeat(150)));
    expect(await log.getMany(keys)).toEqual(expected);
    // The key directory holds each record's own sequence: the merge keeps every live one.
    await log.merge();
    expect(await log.getMany(keys)).toEqual(expected);
    await log.close();
    const again = await openLog({ dir, durability: 'none', maxFileSize: 1024 });
    expect(await again.getMany(keys)).toEqual(expected);
  });
});
