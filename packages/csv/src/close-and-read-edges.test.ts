import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';

// What a failing disk at close, a flush of a store never written, and reads of bytes do.

const path = '/data/store.csv';
const journal = `${path}.journal`;

async function openOn(disk: SimulatedDisk): Promise<CsvBackend> {
  const backend = new CsvBackend({ path, fs: disk.mount() });
  await backend.open();
  return backend;
}

describe('close on a failing disk', () => {
  it('rejects with IO naming the journal when the journal cannot be removed, and loses nothing', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    await backend.set('k', 'v');
    disk.failNext('unlink', 'EIO', { path: journal });
    await expect(backend.close()).rejects.toMatchObject({ code: 'IO', origin: '@stowage/csv', file: journal });
    const reopened = await openOn(disk);
    expect(await reopened.get('k')).toBe('v');
    await reopened.close();
  });

  it('rejects with the error of releasing the lock, and the store opens again', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    await backend.set('k', 'v');
    disk.failNext('open', 'EIO', { path: /\.lock/ });
    await expect(backend.close()).rejects.toMatchObject({ code: 'IO' });
    const reopened = await openOn(disk);
    expect(await reopened.get('k')).toBe('v');
    await reopened.close();
  });
});

describe('flush', () => {
  it('of a store never written creates its CSV, with the header alone', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    expect(disk.stat(path)).toBeUndefined();
    await backend.flush();
    expect(new TextDecoder().decode(disk.readFile(path))).toBe('key,value\r\n');
    await backend.close();
  });
});

describe('reads of bytes', () => {
  it('getMany hands out copies: changing one changes neither the store nor the next read', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    await backend.set('b', new Uint8Array([1, 2, 3]));
    const [first] = await backend.getMany(['b']);
    (first as Uint8Array)[0] = 9;
    expect(await backend.getMany(['b', 'missing'])).toEqual([new Uint8Array([1, 2, 3]), undefined]);
    await backend.close();
  });
});

describe('clear and sweepExpired', () => {
  it('write nothing to the journal when there is nothing to delete', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    await backend.set('b', 'kept', { expiresAt: 4_102_444_800_000 });
    const size = disk.stat(journal)?.size;
    await backend.clear({ gte: 'x' });
    expect(await backend.sweepExpired(1_000)).toBe(0);
    expect(disk.stat(journal)?.size).toBe(size);
    expect(await backend.get('b')).toBe('kept');
    await backend.close();
  });

  it('sweepExpired(now) deletes an entry expiring at exactly now, not one a millisecond later', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    await backend.set('due', 'x', { expiresAt: 5_000 });
    await backend.set('later', 'y', { expiresAt: 5_001 });
    expect(await backend.sweepExpired(5_000)).toBe(1);
    expect(await backend.has('due')).toBe(false);
    expect(await backend.has('later')).toBe(true);
    await backend.close();
  });
});

describe('getWithExpiry', () => {
  it('answers undefined for a missing key, and the value with its expiry for a present one', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    await backend.set('k', 'v', { expiresAt: 4_102_444_800_000 });
    expect(await backend.getWithExpiry('missing')).toBeUndefined();
    expect(await backend.getWithExpiry('k')).toEqual({ value: 'v', expiresAt: 4_102_444_800_000 });
    await backend.close();
  });
});

describe('open', () => {
  it('fails with IO when the CSV cannot be read, and leaves it as it was (never taken for a missing file)', async () => {
    const disk = new SimulatedDisk();
    const first = await openOn(disk);
    await first.set('k', 'v');
    await first.close();
    const before = disk.readFile(path);
    disk.failNext('readFile', 'EIO', { path });
    await expect(openOn(disk)).rejects.toMatchObject({ code: 'IO', origin: '@stowage/csv' });
    expect(disk.readFile(path)).toEqual(before);
    const reopened = await openOn(disk);
    expect(await reopened.get('k')).toBe('v');
    await reopened.close();
  });

  it('goes on when the sweep for leftover temp files cannot list the folder', async () => {
    const disk = new SimulatedDisk();
    await (await openOn(disk)).close();
    // A view of the disk that fails one chosen readdir of the folder.
    let listed = 0;
    let failAt = 0;
    const view = disk.mount();
    const failing = {
      ...view,
      readdir(folder: string): string[] {
        if (++listed === failAt) throw Object.assign(new Error('EIO: i/o error, readdir'), { code: 'EIO' });
        return view.readdir(folder);
      },
    };
    // The sweep is the last listing of an open (the lock's come first): count them once.
    const counted = new CsvBackend({ path, fs: failing });
    await counted.open();
    const total = listed;
    await counted.close();
    listed = 0;
    failAt = total;
    const backend = new CsvBackend({ path, fs: failing });
    await backend.open();
    expect(listed).toBe(total);
    await backend.set('k', 'v');
    expect(await backend.get('k')).toBe('v');
    await backend.close();
  });
});
