import type { FileHandle, FileSystem } from '@stowage/fs';
import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';

const path = '/data/store.csv';
const journal = `${path}.journal`;

/** A mount of `disk` that records, for each fsync of the journal, whether it was asked in-thread. */
function recordingMount(disk: SimulatedDisk): { fs: FileSystem; inThread: boolean[] } {
  const inner = disk.mount();
  const inThread: boolean[] = [];
  const wrap = (handle: FileHandle): FileHandle => ({
    path: handle.path,
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    write: (data, position) => handle.write(data, position),
    append: (data) => handle.append(data),
    size: () => handle.size(),
    truncate: (size) => handle.truncate(size),
    sync: (options) => {
      if (handle.path === journal) inThread.push(options?.inThread === true);
      return handle.sync(options);
    },
    close: () => handle.close(),
  });
  return { fs: { ...inner, open: (file, mode) => wrap(inner.open(file, mode)) }, inThread };
}

async function contentOf(backend: CsvBackend): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for await (const [key, value] of backend.entries()) result.set(key, value as string);
  return result;
}

describe('sequential writes with in-thread fsyncs', () => {
  it('fsync the lone writes of an awaiting writer in the calling thread, and lose none of them to a power cut', async () => {
    const disk = new SimulatedDisk({ seed: 7 });
    const { fs, inThread } = recordingMount(disk);
    const backend = new CsvBackend({ path, fs });
    await backend.open();
    const before = inThread.length;
    for (let index = 0; index < 10; index++) await backend.set(`k${index}`, `v${index}`);
    expect(inThread.slice(before)).toContain(true);
    disk.powerCut({ mode: 'lose-all' });
    const reopened = new CsvBackend({ path, fs: disk.mount() });
    await reopened.open();
    expect(await contentOf(reopened)).toEqual(new Map(Array.from({ length: 10 }, (_, i) => [`k${i}`, `v${i}`])));
    await reopened.close();
  });

  it('reject a write whose in-thread fsync failed with IO, leaving the store and the file as they were', async () => {
    const disk = new SimulatedDisk({ seed: 8 });
    const { fs, inThread } = recordingMount(disk);
    const backend = new CsvBackend({ path, fs });
    await backend.open();
    await backend.set('k', 'old');
    disk.failNext('sync', 'EIO', { path: journal });
    const before = inThread.length;
    // Continues the chain of the write above: a lone write, fsynced in-thread.
    await expect(backend.set('k', 'new')).rejects.toMatchObject({ code: 'IO', origin: '@stowage/csv' });
    expect(inThread[before]).toBe(true);
    expect(await backend.get('k')).toBe('old');
    await backend.set('after', '1');
    disk.powerCut({ mode: 'keep-prefix' });
    const reopened = new CsvBackend({ path, fs: disk.mount() });
    await reopened.open();
    expect(await contentOf(reopened)).toEqual(
      new Map([
        ['k', 'old'],
        ['after', '1'],
      ]),
    );
    await reopened.close();
  });
});
