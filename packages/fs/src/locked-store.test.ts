import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from './file-system.js';
import { acquireLock, readLockHolder } from './lock.js';
import { openLockedStore } from './locked-store.js';
import { SimulatedDisk } from './simulated-disk.js';

const origin = '@stowage/test';
// Pids are at most 2^22 on Linux; this one is above any the kernel hands out.
const DEAD_PID = 4_194_304 + 12_345;

function touch(fs: FileSystem, path: string): void {
  fs.open(path, 'createNew').close();
}

describe('openLockedStore', () => {
  it('creates the folder durably, holds the lock while recovering, and returns what recovery returns', async () => {
    const disk = new SimulatedDisk();
    const fs = disk.mount();
    const result = await openLockedStore(fs, '/data/store', { origin }, ({ lock }) => {
      expect(readLockHolder(fs, '/data/store/LOCK')?.token).toBe(lock.token);
      return { lock, opened: 'yes' };
    });
    expect(result.opened).toBe('yes');
    expect(result.lock.path).toBe('/data/store/LOCK');
    // Still held after the open: a second opener is refused.
    await expect(acquireLock(fs, '/data/store/LOCK', { origin })).rejects.toMatchObject({ code: 'LOCKED' });
    await result.lock.release();
    disk.powerCut({ mode: 'lose-all' });
    expect(disk.durableNames('/data')).toEqual(['store']);
  });

  it('sweeps temp files of dead writers before recovery and reports their names; a live writer keeps its file', async () => {
    const fs = new SimulatedDisk().mount();
    fs.mkdir('/store');
    const dead = `.1.data.${DEAD_PID}-0123456789ab.tmp`;
    const live = `.2.data.${process.ppid}-0123456789ab.tmp`;
    touch(fs, `/store/${dead}`);
    touch(fs, `/store/${live}`);
    let seen: readonly string[] = [];
    const lock = await openLockedStore(fs, '/store', { origin }, ({ lock, removedTempFiles }) => {
      seen = removedTempFiles;
      expect(fs.readdir('/store')).not.toContain(dead);
      return lock;
    });
    expect(seen).toEqual([dead]);
    expect(fs.readdir('/store')).toContain(live);
    await lock.release();
  });

  it('takes the lock at lockPath and sweeps only temp files of targets starting with tempPrefix', async () => {
    const fs = new SimulatedDisk().mount();
    fs.mkdir('/shared');
    const mine = `.store.csv.${DEAD_PID}-0123456789ab.tmp`;
    const other = `.notes.txt.${DEAD_PID}-0123456789ab.tmp`;
    touch(fs, `/shared/${mine}`);
    touch(fs, `/shared/${other}`);
    const options = { origin, lockPath: '/shared/store.csv.lock', tempPrefix: 'store.csv' };
    const { lock, removedTempFiles } = await openLockedStore(fs, '/shared', options, (store) => store);
    expect(removedTempFiles).toEqual([mine]);
    expect(fs.readdir('/shared')).toContain(other);
    expect(readLockHolder(fs, '/shared/store.csv.lock')?.token).toBe(lock.token);
    expect(readLockHolder(fs, '/shared/LOCK')).toBeUndefined();
    await lock.release();
  });

  it("releases the lock when recovery throws, and throws recovery's error unchanged", async () => {
    const fs = new SimulatedDisk().mount();
    const failure = new Error('damaged manifest');
    await expect(
      openLockedStore(fs, '/store', { origin }, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(readLockHolder(fs, '/store/LOCK')).toBeUndefined();
    // Also when it rejects after an await: the next open takes the lock at once.
    const corrupt = new StowageError('CORRUPTION', 'bad', { origin });
    await expect(
      openLockedStore(fs, '/store', { origin }, async () => {
        await Promise.resolve();
        throw corrupt;
      }),
    ).rejects.toBe(corrupt);
    const lock = await openLockedStore(fs, '/store', { origin }, ({ lock }) => lock);
    await lock.release();
  });

  it('reports an existing LOCKED holder without running recovery', async () => {
    const fs = new SimulatedDisk().mount();
    fs.mkdir('/store');
    const held = await acquireLock(fs, '/store/LOCK', { origin });
    let recovered = false;
    const opening = openLockedStore(fs, '/store', { origin: '@stowage/other' }, () => {
      recovered = true;
    });
    await expect(opening).rejects.toMatchObject({
      code: 'LOCKED',
      origin: '@stowage/other',
      message: expect.stringContaining(`pid ${process.pid}`),
    });
    expect(recovered).toBe(false);
    // The holder still has it.
    expect(readLockHolder(fs, '/store/LOCK')?.token).toBe(held.token);
    await held.release();
  });

  it('refuses a folder it cannot create, naming it, without running recovery', async () => {
    const disk = new SimulatedDisk();
    disk.setReadOnly(true);
    let recovered = false;
    const opening = openLockedStore(disk.mount(), '/store', { origin }, () => {
      recovered = true;
    });
    await expect(opening).rejects.toMatchObject({ code: 'READ_ONLY', file: '/store', origin });
    expect(recovered).toBe(false);
  });

  it('a sweep that fails is IO naming the folder, and the lock is released', async () => {
    const disk = new SimulatedDisk();
    const fs = disk.mount();
    fs.mkdir('/store');
    const dead = `/store/.data.${DEAD_PID}-0123456789ab.tmp`;
    touch(fs, dead);
    disk.failNext('unlink', 'EIO', { path: dead });
    const opening = openLockedStore(fs, '/store', { origin }, () => undefined);
    await expect(opening).rejects.toMatchObject({ code: 'IO', file: '/store' });
    expect(readLockHolder(fs, '/store/LOCK')).toBeUndefined();
  });
});
