import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';
import { createFileDurable, makeDirectoryDurable, readWholeFile, truncateFileDurable } from './durable-files.js';
import type { FileSystem } from './file-system.js';
import { nodeFileSystem } from './node-file-system.js';
import { closeQuietly, unlinkQuietly } from './quiet.js';
import { SimulatedDisk } from './simulated-disk.js';
import { holdTempFile, isAbandonedTemp, parseTempName, sweepTempFiles, tempPathFor } from './temp-files.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function realDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-durable-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  // Pids are at most 2^22 on Linux; this one is above any the kernel hands out.
  return 4_194_304 + 12_345;
}

describe('makeDirectoryDurable', () => {
  it('creates missing parents and returns them, outermost first; an existing folder is left as it is', async () => {
    const dir = realDir();
    const deep = join(dir, 'a', 'b', 'c');
    expect(await makeDirectoryDurable(nodeFileSystem, deep)).toEqual([join(dir, 'a'), join(dir, 'a', 'b'), deep]);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(await makeDirectoryDurable(nodeFileSystem, deep)).toEqual([]);
  });

  it('refuses a path that is a file with EEXIST', async () => {
    const dir = realDir();
    writeFileSync(join(dir, 'file'), '');
    await expect(makeDirectoryDurable(nodeFileSystem, join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('survives a power cut right after it returns, every new level included', async () => {
    const disk = new SimulatedDisk();
    await makeDirectoryDurable(disk.mount(), '/data/stores/one');
    disk.powerCut({ mode: 'lose-all' });
    expect(disk.durableNames('/')).toEqual(['data']);
    expect(disk.durableNames('/data/stores')).toEqual(['one']);
    expect(disk.stat('/data/stores/one')?.isDirectory).toBe(true);
  });

  it('fsyncs the folder of every new level (without them a cut loses the names)', async () => {
    const disk = new SimulatedDisk();
    disk.mount().mkdir('/data/stores/one');
    disk.powerCut({ mode: 'lose-all' });
    expect(disk.stat('/data')).toBeUndefined();
  });
});

describe('createFileDurable', () => {
  it('creates a new file with its content and returns a writable handle; refuses an existing file', async () => {
    const dir = realDir();
    const path = join(dir, 'wal');
    const handle = await createFileDurable(nodeFileSystem, path, bytes('HEADER'));
    expect(handle.append(bytes('+record'))).toBe(6);
    handle.close();
    expect(readFileSync(path, 'utf8')).toBe('HEADER+record');
    await expect(createFileDurable(nodeFileSystem, path)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(path, 'utf8')).toBe('HEADER+record');
  });

  it('survives a power cut right after it returns: name and content', async () => {
    const disk = new SimulatedDisk();
    disk.mkdir('/db');
    await disk.syncDirectory('/');
    const handle = await createFileDurable(disk.mount(), '/db/1.log', bytes('HEADER'));
    expect(handle.size()).toBe(6);
    disk.powerCut({ mode: 'lose-all' });
    expect(disk.durableNames('/db')).toEqual(['1.log']);
    expect(text(disk.readFile('/db/1.log'))).toBe('HEADER');
  });

  it('removes the file and throws when the fsync fails', async () => {
    const disk = new SimulatedDisk();
    disk.failNext('sync', 'EIO');
    await expect(createFileDurable(disk, '/1.log', bytes('HEADER'))).rejects.toMatchObject({ code: 'EIO' });
    expect(disk.readdir('/')).toEqual([]);
  });
});

describe('truncateFileDurable', () => {
  it('cuts the file to its first bytes, and the cut survives a power cut right after it returns', async () => {
    const disk = new SimulatedDisk();
    const fs = disk.mount();
    const handle = await createFileDurable(fs, '/1.log', bytes('HEADER+torn'));
    handle.close();
    await truncateFileDurable(fs, '/1.log', 6);
    expect(text(fs.readFile('/1.log'))).toBe('HEADER');
    disk.powerCut({ mode: 'lose-all' });
    expect(text(disk.readFile('/1.log'))).toBe('HEADER');
  });

  it("throws node's error when the fsync fails: the cut is then not durable", async () => {
    const disk = new SimulatedDisk();
    const handle = await createFileDurable(disk, '/1.log', bytes('HEADER+torn'));
    handle.close();
    disk.failNext('sync', 'EIO');
    await expect(truncateFileDurable(disk, '/1.log', 6)).rejects.toMatchObject({ code: 'EIO' });
    // A power cut now loses the unsynced cut: the old content is what the disk holds.
    disk.powerCut({ mode: 'lose-all' });
    expect(text(disk.readFile('/1.log'))).toBe('HEADER+torn');
  });
});

describe('readWholeFile', () => {
  it.each([
    ['the real disk', () => ({ fs: nodeFileSystem as FileSystem, dir: realDir() })],
    ['a simulated disk', () => ({ fs: new SimulatedDisk() as FileSystem, dir: '/' })],
  ])('reads everything written so far, on %s', (_name, setUp) => {
    const { fs, dir } = setUp();
    const path = join(dir, 'file');
    const writer = fs.open(path, 'createNew');
    writer.append(bytes('first;'));
    const reader = fs.open(path, 'read');
    expect(text(readWholeFile(reader))).toBe('first;');
    writer.append(bytes('second'));
    expect(text(readWholeFile(reader))).toBe('first;second');
    expect(readWholeFile(fs.open(join(dir, 'empty'), 'createNew')).byteLength).toBe(0);
    closeQuietly(reader);
    closeQuietly(writer);
  });
});

describe('closeQuietly and unlinkQuietly', () => {
  it('never throw: a handle the power cut killed, a file that is not there', async () => {
    const disk = new SimulatedDisk();
    const handle = disk.mount().open('/f', 'create');
    disk.powerCut({ mode: 'lose-all' });
    expect(() => handle.append(bytes('x'))).toThrow();
    expect(() => closeQuietly(handle)).not.toThrow();
    closeQuietly(undefined);
    expect(unlinkQuietly(disk, '/missing')).toBe(false);
    disk.open('/g', 'create').close();
    expect(unlinkQuietly(disk, '/g')).toBe(true);
    expect(disk.readdir('/')).toEqual([]);
  });
});

describe('temp files: one naming scheme and a sweep', () => {
  it('names temp files .<name>.<pid>-<random>.tmp and parses them back', () => {
    const temp = tempPathFor('/db/store.csv');
    const name = temp.slice('/db/'.length);
    expect(name).toMatch(new RegExp(`^\\.store\\.csv\\.${process.pid}-[0-9a-f]{12}\\.tmp$`));
    expect(parseTempName(name)).toEqual({ target: 'store.csv', pid: process.pid });
    expect(parseTempName('.store.csv.0123456789ab.tmp')).toEqual({ target: 'store.csv', pid: undefined });
    expect(parseTempName('notes.tmp')).toBeUndefined();
    expect(parseTempName('store.csv')).toBeUndefined();
  });

  it.each([
    ['the real disk', () => ({ fs: nodeFileSystem as FileSystem, dir: realDir() })],
    ['a simulated disk', () => ({ fs: new SimulatedDisk() as FileSystem, dir: '/' })],
  ])('removes only temp files whose writer is gone, on %s', (_name, setUp) => {
    const { fs, dir } = setUp();
    const names = {
      dead: `.store.csv.${deadPid()}-0123456789ab.tmp`,
      live: `.store.csv.${process.ppid}-0123456789ab.tmp`,
      legacy: '.store.csv.0123456789ab.tmp',
      lockClaimDead: `.store.csv.lock.4.${deadPid()}-aaaaaaaaaaaa.tmp`,
      otherStore: `.other.csv.${deadPid()}-0123456789ab.tmp`,
      mine: `.store.csv.${process.pid}-bbbbbbbbbbbb.tmp`,
      mineInFlight: `.store.csv.${process.pid}-cccccccccccc.tmp`,
      userFile: 'notes.tmp',
      data: 'store.csv',
    };
    for (const name of Object.values(names)) fs.open(join(dir, name), 'createNew').close();
    const done = holdTempFile(fs, join(dir, names.mineInFlight));
    const removed = sweepTempFiles(fs, dir, { prefix: 'store.csv' });
    done();
    expect(removed.sort()).toEqual([names.dead, names.legacy, names.lockClaimDead, names.mine].sort());
    expect(fs.readdir(dir).sort()).toEqual(
      [names.live, names.otherStore, names.mineInFlight, names.userFile, names.data].sort(),
    );
    // Without a prefix, every abandoned temp file goes; the one no longer in flight too.
    expect(sweepTempFiles(fs, dir).sort()).toEqual([names.otherStore, names.mineInFlight].sort());
    expect(sweepTempFiles(fs, join(dir, 'missing'))).toEqual([]);
  });

  it('never sweeps the temp file of a writeFileAtomic in progress, and the result survives a power cut', async () => {
    const disk = new SimulatedDisk();
    const fs = disk.mount();
    const writing = writeFileAtomic(fs, '/store.csv', bytes('key,value\n'));
    // The temp file exists now (created synchronously); the fsync is pending.
    const temps = fs.readdir('/').filter((name) => parseTempName(name) !== undefined);
    expect(temps).toHaveLength(1);
    expect(sweepTempFiles(fs, '/')).toEqual([]);
    await writing;
    disk.powerCut({ mode: 'lose-all' });
    expect(disk.readdir('/')).toEqual(['store.csv']);
    expect(text(disk.readFile('/store.csv'))).toBe('key,value\n');
  });

  it('sweeps a temp file a power cut left behind (our pid, no longer being written)', async () => {
    const disk = new SimulatedDisk();
    const fs = disk.mount();
    const writing = writeFileAtomic(fs, '/store.csv', bytes('new'));
    await disk.syncDirectory('/'); // the temp file's name is durable, its rename never happens
    disk.powerCut({ mode: 'lose-all' });
    await expect(writing).rejects.toMatchObject({ code: 'EIO' });
    const [temp] = disk.readdir('/');
    expect(parseTempName(temp!)?.pid).toBe(process.pid);
    expect(sweepTempFiles(disk.mount(), '/')).toEqual([temp]);
    expect(disk.readdir('/')).toEqual([]);
  });
});

describe('the real disk keeps no temp file after writeFileAtomic', () => {
  it('leaves only the target', async () => {
    const dir = realDir();
    await writeFileAtomic(nodeFileSystem, join(dir, 'x'), bytes('1'));
    expect(readdirSync(dir)).toEqual(['x']);
  });
});

describe('makeDirectoryDurable, at the edges', () => {
  it('makes no mkdir call for a folder that exists (some mounts refuse even a no-op mkdir)', async () => {
    const disk = new SimulatedDisk();
    disk.mkdir('/data');
    let mkdirs = 0;
    const mount = disk.mount();
    const counting: FileSystem = {
      ...mount,
      mkdir(path) {
        mkdirs++;
        mount.mkdir(path);
      },
    };
    expect(await makeDirectoryDurable(counting, '/data')).toEqual([]);
    expect(mkdirs).toBe(0);
  });

  it('stops walking up at the root, even on a disk that reports no root', async () => {
    const disk = new SimulatedDisk();
    const mount = disk.mount();
    let stats = 0;
    const rootless: FileSystem = {
      ...mount,
      stat(path) {
        if (++stats > 50) throw new Error('walked past the root');
        return path === '/' ? undefined : mount.stat(path);
      },
    };
    expect(await makeDirectoryDurable(rootless, '/a/b')).toEqual(['/', '/a', '/a/b']);
    expect(disk.stat('/a/b')?.isDirectory).toBe(true);
  });
});

describe('truncateFileDurable, on the real disk and on a missing file', () => {
  it('cuts a real file, opened for writing', async () => {
    const dir = realDir();
    const file = join(dir, '1.log');
    writeFileSync(file, 'HEADER+torn');
    await truncateFileDurable(nodeFileSystem, file, 6);
    expect(readFileSync(file, 'utf8')).toBe('HEADER');
  });

  it('fails with ENOENT on a missing file and creates nothing', async () => {
    const disk = new SimulatedDisk();
    await expect(truncateFileDurable(disk, '/missing.log', 0)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(disk.readdir('/')).toEqual([]);
  });
});

describe('isAbandonedTemp', () => {
  it('is false for a name outside the temp scheme', () => {
    expect(isAbandonedTemp(new SimulatedDisk(), '/', 'notes.tmp')).toBe(false);
    expect(isAbandonedTemp(new SimulatedDisk(), '/', 'store.csv')).toBe(false);
  });

  it('takes a temp file of this pid for debris on a disk this process never wrote a temp file to', () => {
    const disk = new SimulatedDisk();
    const name = `.store.csv.${process.pid}-0123456789ab.tmp`;
    disk.open(`/${name}`, 'createNew').close();
    expect(isAbandonedTemp(disk, '/', name)).toBe(true);
    expect(sweepTempFiles(disk, '/')).toEqual([name]);
  });
});

describe('sweepTempFiles, when the disk fails or a rival is quicker', () => {
  it('keeps every temp file this process holds on a disk, not only the latest', () => {
    const disk = new SimulatedDisk();
    const names = [`.a.${process.pid}-aaaaaaaaaaaa.tmp`, `.b.${process.pid}-bbbbbbbbbbbb.tmp`];
    for (const name of names) disk.open(`/${name}`, 'createNew').close();
    const done = names.map((name) => holdTempFile(disk, `/${name}`));
    expect(sweepTempFiles(disk, '/')).toEqual([]);
    for (const release of done) release();
    expect(sweepTempFiles(disk, '/').sort()).toEqual([...names].sort());
  });

  it('throws a folder that cannot be listed, and a temp file that cannot be removed', () => {
    const disk = new SimulatedDisk();
    const name = `.a.${deadPid()}-aaaaaaaaaaaa.tmp`;
    disk.open(`/${name}`, 'createNew').close();
    disk.failNext('readdir', 'EIO');
    expect(() => sweepTempFiles(disk, '/')).toThrow(expect.objectContaining({ code: 'EIO' }));
    disk.failNext('unlink', 'EIO');
    expect(() => sweepTempFiles(disk, '/')).toThrow(expect.objectContaining({ code: 'EIO' }));
    expect(disk.readdir('/')).toEqual([name]);
  });

  it('leaves out a temp file another sweeper removed first, without failing', () => {
    const disk = new SimulatedDisk();
    const mount = disk.mount();
    const names = [`.a.${deadPid()}-aaaaaaaaaaaa.tmp`, `.b.${deadPid()}-bbbbbbbbbbbb.tmp`];
    for (const name of names) disk.open(`/${name}`, 'createNew').close();
    const rivalFirst: FileSystem = {
      ...mount,
      unlink(path) {
        if (path === `/${names[0]}`) mount.unlink(path);
        mount.unlink(path);
      },
    };
    expect(sweepTempFiles(rivalFirst, '/')).toEqual([names[1]]);
    expect(disk.readdir('/')).toEqual([]);
  });
});

describe('names that only look like temp files', () => {
  it.each([
    ['without the leading dot', `backup.store.csv.${deadPid()}-0123456789ab.tmp`],
    ['with more after .tmp', `.store.csv.${deadPid()}-0123456789ab.tmp.bak`],
    ['of the old scheme with more after .tmp', '.store.csv.0123456789ab.tmp.old'],
    ['of the old scheme without the leading dot', 'store.csv.0123456789ab.tmp'],
  ])('are not temp files and are never swept: %s', (_what, name) => {
    expect(parseTempName(name)).toBeUndefined();
    const disk = new SimulatedDisk();
    disk.open(`/${name}`, 'createNew').close();
    expect(sweepTempFiles(disk, '/')).toEqual([]);
    expect(disk.readdir('/')).toEqual([name]);
  });
});
