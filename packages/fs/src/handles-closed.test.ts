/**
 * Guarantee: the durable-file helpers leave no handle open behind them. writeFileAtomic
 * closes the temp file's handle whether it succeeds or fails; createFileDurable closes
 * the new file's handle when it fails (and hands it, open, to the caller when it succeeds);
 * closeQuietly closes (and swallows what a dead handle throws); readWholeFile returns exactly the bytes a read got, when the file is shorter than its
 * size said.
 */
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';
import { createFileDurable, readWholeFile, truncateFileDurable } from './durable-files.js';
import type { FileHandle, FileSystem } from './file-system.js';
import { closeQuietly } from './quiet.js';
import { SimulatedDisk } from './simulated-disk.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** `handle` with some of its methods replaced. */
function wrap(handle: FileHandle, replace: Partial<Omit<FileHandle, 'path'>>): FileHandle {
  return {
    path: handle.path,
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    write: (data, position) => handle.write(data, position),
    append: (data) => handle.append(data),
    size: () => handle.size(),
    truncate: (size) => handle.truncate(size),
    sync: () => handle.sync(),
    close: () => handle.close(),
    ...replace,
  };
}

/** A file system over a simulated disk that tracks which handles are open. */
function trackingFileSystem(disk: SimulatedDisk): { fs: FileSystem; open: Set<string> } {
  const inner = disk.mount();
  const open = new Set<string>();
  let next = 0;
  const fs: FileSystem = {
    open: (path, mode) => {
      const handle = inner.open(path, mode);
      const id = `${path}#${next++}`;
      open.add(id);
      return wrap(handle, {
        close: () => {
          open.delete(id);
          handle.close();
        },
      });
    },
    readFile: (path) => inner.readFile(path),
    rename: (from, to) => inner.rename(from, to),
    unlink: (path) => inner.unlink(path),
    mkdir: (path) => inner.mkdir(path),
    readdir: (path) => inner.readdir(path),
    stat: (path) => inner.stat(path),
    syncDirectory: (path) => inner.syncDirectory(path),
  };
  return { fs, open };
}

describe('no handle is left open', () => {
  it('by writeFileAtomic, when it succeeds and when its fsync fails', async () => {
    const disk = new SimulatedDisk();
    const { fs, open } = trackingFileSystem(disk);
    await writeFileAtomic(fs, '/a', bytes('one'));
    expect(open.size).toBe(0);
    disk.failNext('sync', 'EIO');
    await expect(writeFileAtomic(fs, '/a', bytes('two'))).rejects.toMatchObject({ code: 'EIO' });
    expect(open.size).toBe(0);
    expect(new TextDecoder().decode(disk.readFile('/a'))).toBe('one');
  });

  it('by createFileDurable when its fsync fails; on success the caller gets the handle open', async () => {
    const disk = new SimulatedDisk();
    const { fs, open } = trackingFileSystem(disk);
    disk.failNext('sync', 'EIO');
    await expect(createFileDurable(fs, '/new', bytes('header'))).rejects.toMatchObject({ code: 'EIO' });
    expect(open.size).toBe(0);
    const handle = await createFileDurable(fs, '/new', bytes('header'));
    expect(open.size).toBe(1);
    handle.close();
    expect(open.size).toBe(0);
  });
});

describe('no handle is left open by truncateFileDurable', () => {
  it('when it succeeds and when its fsync fails', async () => {
    const disk = new SimulatedDisk();
    const { fs, open } = trackingFileSystem(disk);
    (await createFileDurable(fs, '/1.log', bytes('HEADER+torn'))).close();
    await truncateFileDurable(fs, '/1.log', 6);
    expect(open.size).toBe(0);
    disk.failNext('sync', 'EIO');
    await expect(truncateFileDurable(fs, '/1.log', 0)).rejects.toMatchObject({ code: 'EIO' });
    expect(open.size).toBe(0);
  });
});

describe('closeQuietly', () => {
  it('closes the handle, and swallows what a dead handle throws', () => {
    const disk = new SimulatedDisk();
    const handle = disk.open('/f', 'createNew');
    closeQuietly(handle);
    expect(() => handle.size()).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(() => closeQuietly(handle)).not.toThrow();
    expect(() => closeQuietly(undefined)).not.toThrow();
  });
});

describe('readWholeFile', () => {
  it('returns only the bytes read when the file turns out shorter than its size said', () => {
    const disk = new SimulatedDisk();
    const real = disk.open('/f', 'createNew');
    real.write(bytes('abcdef'), 0);
    const shrinking = wrap(real, {
      size: () => 6,
      read: (buffer, offset, length, position) => real.read(buffer, offset, Math.min(length, 4), position),
    });
    expect(new TextDecoder().decode(readWholeFile(shrinking))).toBe('abcd');
    expect(new TextDecoder().decode(readWholeFile(real))).toBe('abcdef');
  });
});
