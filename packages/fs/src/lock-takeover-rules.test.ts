/**
 * Guarantee: the lock's rules for the moments a race would produce, played out one at a
 * time by a file system that changes the folder at a chosen call (no racing processes):
 * a generation that vanishes between listing and reading sends the opener back to a fresh
 * listing, an old-format lock taken while we create our generation wins over ours, a
 * failure after winning gives the lock back and leaves no handle open, and a holder on
 * another machine is never judged by this machine's pids. readLockHolder reports nobody
 * for a lock that cannot exist and throws what the disk throws.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileHandle, FileSystem } from './file-system.js';
import { acquireLock, readLockHolder } from './lock.js';
import { nodeFileSystem as fs } from './node-file-system.js';
import { SimulatedDisk } from './simulated-disk.js';

const origin = '@stowage/test';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stowage-lock-rules-'));
  path = join(dir, 'LOCK');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A generation's (or an old-format lock file's) content naming `pid` on `host`. */
function content(pid: number, token: string, host = hostname(), state?: 'held' | 'free'): string {
  return JSON.stringify({ pid, hostname: host, token, ...(state === undefined ? {} : { state }) });
}

async function rejection(promise: Promise<unknown>): Promise<StowageError> {
  try {
    await promise;
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** The real file system with some calls replaced; it shares the real disk's table of held locks. */
function realWith(replace: Partial<FileSystem>): FileSystem {
  return { ...fs, ...replace };
}

/** A file system over `disk` that counts the handles it has open. */
function tracking(disk: SimulatedDisk): { fs: FileSystem; open: Set<FileHandle> } {
  const inner = disk.mount();
  const open = new Set<FileHandle>();
  return {
    open,
    fs: {
      ...inner,
      open(file, mode) {
        const handle = inner.open(file, mode);
        const tracked: FileHandle = {
          ...handle,
          path: handle.path,
          read: (...args) => handle.read(...args),
          write: (...args) => handle.write(...args),
          append: (data) => handle.append(data),
          size: () => handle.size(),
          truncate: (size) => handle.truncate(size),
          sync: () => handle.sync(),
          close: () => {
            open.delete(tracked);
            handle.close();
          },
        };
        open.add(tracked);
        return tracked;
      },
    },
  };
}

describe('acquireLock decides again from a fresh listing', () => {
  it('when the newest generation it listed is gone by the time it reads it', async () => {
    // The first listing still shows a generation a winner has removed since.
    let listings = 0;
    const late = realWith({
      readdir: (folder) => (listings++ === 0 ? [...fs.readdir(folder), 'LOCK.3'] : fs.readdir(folder)),
    });
    const lock = await acquireLock(late, path, { origin });
    expect(lock.generation).toBe(1);
    expect(readdirSync(dir)).toEqual(['LOCK.1']);
    await lock.release();
  });

  it('when an unreadable generation without a live claimant is removed between its two reads', async () => {
    writeFileSync(`${path}.3`, '');
    // The listing of claims (the second listing) is the moment its writer gives up and removes it.
    let listings = 0;
    const late = realWith({
      readdir(folder) {
        const names = fs.readdir(folder);
        if (++listings === 2) unlinkSync(`${path}.3`);
        return names;
      },
    });
    const lock = await acquireLock(late, path, { origin });
    expect(lock.generation).toBe(1);
    await lock.release();
  });
});

describe('an old-format lock taken by an older version while we create our generation', () => {
  it('wins: we write our generation off as free and refuse with LOCKED naming its holder', async () => {
    const racing = realWith({
      open(file, mode) {
        const handle = fs.open(file, mode);
        if (file === `${path}.1`) writeFileSync(path, content(process.ppid, 'older-version'));
        return handle;
      },
    });
    const error = await rejection(acquireLock(racing, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`pid ${process.ppid} on ${hostname()}`);
    // Generation 1 is replaced by a free generation 2; the old-format file is untouched.
    expect(readdirSync(dir)).toEqual(['LOCK', 'LOCK.2']);
    expect(JSON.parse(readFileSync(`${path}.2`, 'utf8')).state).toBe('free');
    expect(JSON.parse(readFileSync(path, 'utf8')).token).toBe('older-version');
    // Not held by this process either: the next opener is refused for the old holder alone.
    expect((await rejection(acquireLock(fs, path, { origin }))).message).toContain(`pid ${process.ppid}`);
  });
});

describe('a failure after winning', () => {
  it('rejects with IO, leaves no handle open, and the next open in this process takes the lock over', async () => {
    const disk = new SimulatedDisk();
    const { fs: tracked, open } = tracking(disk);
    // The first folder fsync is the winner's, after its sweep.
    disk.failNext('syncDirectory', 'EIO');
    const error = await rejection(acquireLock(tracked, '/LOCK', { origin }));
    expect(error.code).toBe('IO');
    expect(error.file).toBe('/LOCK');
    expect(open.size).toBe(0);
    const lock = await acquireLock(tracked, '/LOCK', { origin });
    expect(lock.generation).toBe(2);
    expect(open.size).toBe(1);
    await lock.release();
    expect(open.size).toBe(0);
  });

  it('rejects with IO when an older generation cannot be removed', async () => {
    const disk = new SimulatedDisk();
    const handle = disk.open('/LOCK.1', 'createNew');
    handle.write(new TextEncoder().encode(content(process.pid, 'left-behind', hostname(), 'held')), 0);
    handle.close();
    disk.failNext('unlink', 'EIO', { path: '/LOCK.1' });
    const error = await rejection(acquireLock(disk, '/LOCK', { origin }));
    expect(error.code).toBe('IO');
    expect(disk.readdir('/')).toContain('LOCK.1');
  });

  it('is not a file a rival removed first: an older generation already gone is fine', async () => {
    writeFileSync(`${path}.3`, content(process.pid, 'left-behind', hostname(), 'held'));
    const rivalFirst = realWith({
      unlink(file) {
        if (file === `${path}.3`) fs.unlink(file);
        fs.unlink(file);
      },
    });
    const lock = await acquireLock(rivalFirst, path, { origin });
    expect(lock.generation).toBe(4);
    expect(readdirSync(dir)).toEqual(['LOCK.4']);
    await lock.release();
  });
});

describe('an old-format lock file', () => {
  it('that vanishes between its stat and its read counts as absent', async () => {
    writeFileSync(path, content(process.ppid, 'gone'));
    const vanishing = realWith({
      readFile(file) {
        if (file === path) rmSync(path, { force: true });
        return fs.readFile(file);
      },
    });
    const lock = await acquireLock(vanishing, path, { origin });
    expect(readdirSync(dir)).toEqual(['LOCK.1']);
    await lock.release();
  });

  it('that cannot be read fails the open with IO', async () => {
    const disk = new SimulatedDisk();
    const handle = disk.open('/LOCK', 'createNew');
    handle.write(new TextEncoder().encode(content(process.ppid, 'old')), 0);
    handle.close();
    disk.failNext('readFile', 'EIO', { path: '/LOCK' });
    expect((await rejection(acquireLock(disk, '/LOCK', { origin }))).code).toBe('IO');
  });
});

describe('a holder on another machine', () => {
  it('with this process pid is neither taken over nor called this process', async () => {
    const other = `not-${hostname()}`;
    writeFileSync(`${path}.2`, content(process.pid, 'remote', other, 'held'));
    const error = await rejection(acquireLock(fs, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`pid ${process.pid} on ${other}`);
    expect(readLockHolder(fs, path)).toEqual({ pid: process.pid, hostname: other, token: 'remote' });
  });
});

describe('readLockHolder', () => {
  it('reports nobody for a lock whose folder does not exist', () => {
    expect(readLockHolder(fs, join(dir, 'missing', 'LOCK'))).toBeUndefined();
  });

  it('reports nobody when the lock path is a folder', () => {
    mkdirSync(path);
    expect(readLockHolder(fs, path)).toBeUndefined();
  });

  it('throws what the disk throws while listing the lock or reading an old-format file', () => {
    const disk = new SimulatedDisk();
    disk.failNext('readdir', 'EIO');
    expect(() => readLockHolder(disk, '/LOCK')).toThrow(expect.objectContaining({ code: 'EIO' }));
    disk.failNext('readFile', 'EIO');
    expect(() => readLockHolder(disk, '/LOCK')).toThrow(expect.objectContaining({ code: 'EIO' }));
  });

  it('reports the old-format holder when the newest generation is unreadable', () => {
    writeFileSync(`${path}.2`, '');
    writeFileSync(path, content(process.ppid, 'old'));
    expect(readLockHolder(fs, path)).toEqual({ pid: process.ppid, hostname: hostname(), token: 'old' });
  });
});

describe('a lock that keeps changing hands', () => {
  it('ends in LOCKED after 40 fresh listings, never in an endless loop', async () => {
    // Every listing shows a newest generation that is gone by the time it is read.
    let listings = 0;
    const churning = realWith({
      readdir(folder) {
        if (++listings > 100) throw Object.assign(new Error('listed too often'), { code: 'EIO' });
        return [...fs.readdir(folder), 'LOCK.9'];
      },
    });
    const error = await rejection(acquireLock(churning, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(listings).toBe(40);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('an unreadable old-format lock file (an older version may be writing it)', () => {
  /** The real file system, counting reads of the old-format file and calling `onRead` before each. */
  function watchingLegacy(onRead: (count: number) => void = () => undefined) {
    const seen = { reads: 0, readsBeforeCreate: -1 };
    const watched = realWith({
      readFile(file) {
        if (file === path) onRead(++seen.reads);
        return fs.readFile(file);
      },
      open(file, mode) {
        if (file === `${path}.1` && seen.readsBeforeCreate < 0) seen.readsBeforeCreate = seen.reads;
        return fs.open(file, mode);
      },
    });
    return { seen, watched };
  }

  it('is waited for: once its writer finishes, its live holder refuses us', async () => {
    writeFileSync(path, '{"pid":');
    const { watched } = watchingLegacy((count) => {
      if (count === 3) writeFileSync(path, content(process.ppid, 'older-version'));
    });
    const error = await rejection(acquireLock(watched, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`pid ${process.ppid}`);
    expect(readdirSync(dir)).toEqual(['LOCK']);
  });

  it('gets three short waits, then counts as debris: looked at four times before a generation is created', async () => {
    writeFileSync(path, '{"pid":');
    const { seen, watched } = watchingLegacy();
    const lock = await acquireLock(watched, path, { origin });
    expect(seen.readsBeforeCreate).toBe(4);
    expect(readdirSync(dir)).toEqual(['LOCK.1']);
    await lock.release();
  });

  it('is not waited for when there is none: a free lock is created after one look', async () => {
    let looks = 0;
    let looksBeforeCreate = -1;
    const watched = realWith({
      stat(file) {
        if (file === path) looks++;
        return fs.stat(file);
      },
      open(file, mode) {
        if (file === `${path}.1` && looksBeforeCreate < 0) looksBeforeCreate = looks;
        return fs.open(file, mode);
      },
    });
    const lock = await acquireLock(watched, path, { origin });
    expect(looksBeforeCreate).toBe(1);
    await lock.release();
  });
});

describe('release', () => {
  it('is idempotent: a second call makes no disk call at all', async () => {
    const disk = new SimulatedDisk();
    const lock = await acquireLock(disk, '/LOCK', { origin });
    await lock.release();
    const calls = disk.calls;
    await lock.release();
    expect(disk.calls).toBe(calls);
    expect(disk.readdir('/')).toEqual(['LOCK.2']);
  });

  it('lets go at once: an open in this process started while the release is being written succeeds', async () => {
    const lock = await acquireLock(fs, path, { origin });
    const releasing = lock.release();
    const next = await acquireLock(fs, path, { origin });
    await releasing;
    expect(readLockHolder(fs, path)?.token).toBe(next.token);
    await next.release();
    expect(readLockHolder(fs, path)).toBeUndefined();
  });

  it('by a holder whose power was cut leaves the successor held in this process', async () => {
    const disk = new SimulatedDisk({ seed: 3 });
    const old = await acquireLock(disk.mount(), '/LOCK', { origin });
    disk.powerCut({ mode: 'keep-prefix' });
    const successor = await acquireLock(disk.mount(), '/LOCK', { origin });
    const failed = await rejection(old.release());
    expect(failed).toMatchObject({ code: 'IO', file: '/LOCK', origin });
    // The failed release did not drop the successor from this process's table of held locks.
    expect((await rejection(acquireLock(disk.mount(), '/LOCK', { origin }))).code).toBe('LOCKED');
    await successor.release();
  });
});

/** `promise`, or a rejection if it has not settled within `ms` (a hang fails the test instead of timing it out). */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('a generation and the claim files beside it', () => {
  const claim = (generation: number, pid: number) => join(dir, `.LOCK.${generation}.${pid}-0123456789ab.tmp`);

  it('a whole generation is judged by its content: a live claimant beside it does not make the opener wait', async () => {
    writeFileSync(`${path}.3`, content(process.ppid, 'released', hostname(), 'free'));
    writeFileSync(claim(3, process.ppid), '');
    const lock = await within(5_000, acquireLock(fs, path, { origin }));
    expect(lock.generation).toBe(4);
    // The live rival's claim file stays.
    expect(readdirSync(dir)).toEqual([`.LOCK.3.${process.ppid}-0123456789ab.tmp`, 'LOCK.4']);
    await lock.release();
  });

  it('a claim file with this process pid, left by an earlier run, is no live writer: the generation is taken over', async () => {
    writeFileSync(`${path}.3`, '');
    writeFileSync(claim(3, process.pid), '');
    const lock = await within(5_000, acquireLock(fs, path, { origin }));
    expect(lock.generation).toBe(4);
    expect(readdirSync(dir)).toEqual(['LOCK.4']);
    await lock.release();
  });

  it('a generation its writer finishes between the two looks is judged by what it now says', async () => {
    writeFileSync(`${path}.3`, '');
    let listings = 0;
    const finishing = realWith({
      readdir(folder) {
        const names = fs.readdir(folder);
        if (++listings === 2) writeFileSync(`${path}.3`, content(process.ppid, 'writer', hostname(), 'held'));
        return names;
      },
    });
    const error = await rejection(acquireLock(finishing, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`pid ${process.ppid}`);
  });

  it('a generation being written is waited for long enough for its writer to finish (pauses, not a spin)', async () => {
    writeFileSync(`${path}.3`, '');
    writeFileSync(claim(3, process.ppid), '');
    // The rival finishes 20 ms later: it writes its generation as free and removes its claim.
    const finishes = setTimeout(() => {
      writeFileSync(`${path}.3`, content(process.ppid, 'writer', hostname(), 'free'));
      rmSync(claim(3, process.ppid));
    }, 20);
    try {
      const lock = await within(5_000, acquireLock(fs, path, { origin }));
      expect(lock.generation).toBe(4);
      await lock.release();
    } finally {
      clearTimeout(finishes);
    }
  });
});

describe('failures while creating a generation', () => {
  it('a generation file that cannot be created is IO, not a lost race', async () => {
    const disk = new SimulatedDisk();
    disk.failNext('open', 'EIO', { path: '/LOCK.1' });
    const error = await rejection(acquireLock(disk, '/LOCK', { origin }));
    expect(error.code).toBe('IO');
    expect(disk.readdir('/')).toEqual([]);
  });

  it('a held generation that cannot be written is let go of by a free one, whose handle is closed', async () => {
    const disk = new SimulatedDisk();
    const { fs: tracked, open } = tracking(disk);
    disk.failNext('sync', 'EIO');
    expect((await rejection(acquireLock(tracked, '/LOCK', { origin }))).code).toBe('IO');
    expect(open.size).toBe(0);
    expect(disk.readdir('/')).toEqual(['LOCK.1', 'LOCK.2']);
  });

  it('a free generation that cannot be written (a failed release) is not followed by another', async () => {
    const disk = new SimulatedDisk();
    const lock = await acquireLock(disk, '/LOCK', { origin });
    disk.failNext('sync', 'EIO');
    expect((await rejection(lock.release())).code).toBe('IO');
    expect(disk.readdir('/')).toEqual(['LOCK.1', 'LOCK.2']);
    // What is there says free: the next opener takes generation 3.
    const next = await acquireLock(disk, '/LOCK', { origin });
    expect(next.generation).toBe(3);
    await next.release();
  });
});

describe('the lock path itself', () => {
  it('a folder there is no old-format lock: the lock is taken beside it and the folder kept', async () => {
    mkdirSync(path);
    const lock = await acquireLock(fs, path, { origin });
    expect(lock.generation).toBe(1);
    expect(readdirSync(dir)).toEqual(['LOCK', 'LOCK.1']);
    await lock.release();
    expect(readdirSync(dir)).toEqual(['LOCK', 'LOCK.2']);
  });
});

describe('two openers in one process at once', () => {
  it('the second is refused at once from the table, so the first takes generation 1 without a fight', async () => {
    const disk = new SimulatedDisk();
    const results = await Promise.allSettled([
      acquireLock(disk, '/LOCK', { origin }),
      acquireLock(disk, '/LOCK', { origin }),
    ]);
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'LOCKED' } });
    const first = results[0];
    if (first.status !== 'fulfilled') throw first.reason;
    expect(first.value.generation).toBe(1);
    expect(disk.readdir('/')).toEqual(['LOCK.1']);
    await first.value.release();
  });
});

describe('a release after a successor took over', () => {
  it('leaves the folder exactly as the successor has it', async () => {
    const old = await acquireLock(fs, path, { origin });
    writeFileSync(`${path}.2`, content(process.ppid, 'successor', hostname(), 'held'));
    const before = readdirSync(dir);
    await old.release();
    expect(readdirSync(dir)).toEqual(before);
    expect(readLockHolder(fs, path)?.token).toBe('successor');
  });
});
