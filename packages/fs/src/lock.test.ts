import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StowageError } from '@stowage/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, readLockHolder } from './lock.js';
import { nodeFileSystem as fs } from './node-file-system.js';
import { SimulatedDisk } from './simulated-disk.js';

const origin = '@stowage/test';
const lockModule = fileURLToPath(new URL('./lock.ts', import.meta.url));
const fsModule = fileURLToPath(new URL('./node-file-system.ts', import.meta.url));

let dir: string;
let children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stowage-lock-'));
});
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children = [];
  rmSync(dir, { recursive: true, force: true });
});

/** A real second process that takes the lock with acquireLock and then holds it until killed. */
async function childHoldingLock(path: string): Promise<ChildProcess> {
  const script = `
    const { acquireLock } = await import(${JSON.stringify(lockModule)});
    const { nodeFileSystem } = await import(${JSON.stringify(fsModule)});
    await acquireLock(nodeFileSystem, ${JSON.stringify(path)}, { origin: 'child' });
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(
    process.execPath,
    ['--conditions=@stowage/source', '--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let errors = '';
  child.stderr?.on('data', (chunk) => {
    errors += String(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      if (String(chunk).includes('locked')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code}: ${errors}`)));
  });
  return child;
}

/** A generation file's content naming `pid` as holder on this host. */
function holder(pid: number, token: string): string {
  return JSON.stringify({ pid, hostname: hostname(), token, state: 'held' });
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
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

describe('acquireLock', () => {
  it('writes pid, hostname and token in a new generation, and a free one on release', async () => {
    const path = join(dir, 'LOCK');
    const lock = await acquireLock(fs, path, { origin });
    expect(lock.generation).toBe(1);
    expect(readLockHolder(fs, path)).toEqual({ pid: process.pid, hostname: hostname(), token: lock.token });
    expect(readdirSync(dir)).toEqual(['LOCK.1']);
    await lock.release();
    await lock.release();
    // The counter never goes back: the release is generation 2, saying free.
    expect(readdirSync(dir)).toEqual(['LOCK.2']);
    expect(JSON.parse(readFileSync(join(dir, 'LOCK.2'), 'utf8')).state).toBe('free');
    expect(readLockHolder(fs, path)).toBeUndefined();
    const again = await acquireLock(fs, path, { origin });
    expect(again.generation).toBe(3);
    expect(readdirSync(dir)).toEqual(['LOCK.3']);
    await again.release();
  });

  it('refuses a second opener in the same process with LOCKED, and allows one after release', async () => {
    const path = join(dir, 'LOCK');
    const lock = await acquireLock(fs, path, { origin });
    const error = await rejection(acquireLock(fs, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.origin).toBe(origin);
    expect(error.file).toBe(path);
    expect(error.message).toContain(String(process.pid));
    await lock.release();
    const again = await acquireLock(fs, path, { origin });
    await again.release();
  });

  it('lets exactly one of two concurrent openers in one process win', async () => {
    const path = join(dir, 'LOCK');
    const results = await Promise.allSettled([acquireLock(fs, path, { origin }), acquireLock(fs, path, { origin })]);
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(StowageError.is((lost[0] as PromiseRejectedResult).reason, 'LOCKED')).toBe(true);
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it('takes over a generation with our own pid that no live lock of this process owns', async () => {
    const path = join(dir, 'LOCK');
    writeFileSync(`${path}.4`, holder(process.pid, 'left-behind'));
    const lock = await acquireLock(fs, path, { origin });
    expect(lock.generation).toBe(5);
    expect(readLockHolder(fs, path)?.token).toBe(lock.token);
    expect(readdirSync(dir)).toEqual(['LOCK.5']);
    await lock.release();
  });

  it('takes over a generation whose holder is dead, and refuses one whose holder lives', async () => {
    const path = join(dir, 'LOCK');
    const dead = await deadPid();
    writeFileSync(`${path}.7`, holder(dead, 'dead'));
    const lock = await acquireLock(fs, path, { origin });
    expect(lock.generation).toBe(8);
    await lock.release();
    writeFileSync(`${path}.10`, holder(process.ppid, 'parent'));
    const error = await rejection(acquireLock(fs, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`${path} is locked by pid ${process.ppid} on ${hostname()}`);
    expect(readLockHolder(fs, path)?.pid).toBe(process.ppid);
  });

  it('waits for a generation still being written while its claimant lives, and takes it once the claimant is dead', async () => {
    const path = join(dir, 'LOCK');
    // Created, content not yet written; the claim file names a live process.
    writeFileSync(`${path}.3`, '');
    writeFileSync(join(dir, `.LOCK.3.${process.ppid}-0123456789ab.tmp`), '');
    const error = await rejection(acquireLock(fs, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`pid ${process.ppid}`);
    expect(readdirSync(dir)).toEqual([`.LOCK.3.${process.ppid}-0123456789ab.tmp`, 'LOCK.3']);
    // The same with a claimant that died (a crash between create and write): stale.
    rmSync(join(dir, `.LOCK.3.${process.ppid}-0123456789ab.tmp`));
    const dead = await deadPid();
    writeFileSync(join(dir, `.LOCK.3.${dead}-0123456789ab.tmp`), '');
    const lock = await acquireLock(fs, path, { origin });
    expect(lock.generation).toBe(4);
    // Claim files of dead processes go with the winner's sweep.
    expect(readdirSync(dir)).toEqual(['LOCK.4']);
    await lock.release();
  });

  it('keeps the claim files of live rivals when it sweeps', async () => {
    const path = join(dir, 'LOCK');
    const rival = join(dir, `.LOCK.9.${process.ppid}-0123456789ab.tmp`);
    writeFileSync(rival, '');
    const lock = await acquireLock(fs, path, { origin });
    expect(readdirSync(dir)).toContain(`.LOCK.9.${process.ppid}-0123456789ab.tmp`);
    await lock.release();
  });

  it('never holds a generation number a later winner removed: a higher one beside it means lost', async () => {
    const path = join(dir, 'LOCK');
    const dead = await deadPid();
    writeFileSync(`${path}.3`, holder(dead, 'old'));
    writeFileSync(`${path}.5`, holder(process.ppid, 'current'));
    // A slow contender listed the folder before generations 4 and 5 existed.
    let first = true;
    const slow: typeof fs = {
      ...fs,
      readdir(folder) {
        const names = fs.readdir(folder);
        if (!first) return names;
        first = false;
        return names.filter((name) => name !== 'LOCK.5');
      },
    };
    const error = await rejection(acquireLock(slow, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`pid ${process.ppid}`);
    // It created 4, saw 5 and withdrew; 5 is untouched.
    expect(readdirSync(dir)).toEqual(['LOCK.3', 'LOCK.5']);
    expect(readLockHolder(fs, path)?.token).toBe('current');
  });

  it('never takes over a lock held from another host', async () => {
    const path = join(dir, 'LOCK');
    writeFileSync(
      `${path}.2`,
      JSON.stringify({ pid: 999_999_999, hostname: `not-${hostname()}`, token: 't', state: 'held' }),
    );
    const error = await rejection(acquireLock(fs, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain('999999999');
  });

  it('does not overwrite a successor when the old holder releases late', async () => {
    const path = join(dir, 'LOCK');
    const old = await acquireLock(fs, path, { origin });
    writeFileSync(`${path}.2`, holder(process.pid, 'successor'));
    await old.release();
    expect(readLockHolder(fs, path)?.token).toBe('successor');
  });

  describe('a lock file of the format before generations', () => {
    it('is taken over when its holder is dead, and removed only once a generation is held', async () => {
      const path = join(dir, 'LOCK');
      writeFileSync(path, JSON.stringify({ pid: await deadPid(), hostname: hostname(), token: 'old' }));
      writeFileSync(join(dir, `LOCK.${'ab'.repeat(16)}.tmp`), '');
      const lock = await acquireLock(fs, path, { origin });
      expect(readdirSync(dir)).toEqual(['LOCK.1']);
      await lock.release();
    });

    it('is taken over when it holds our own pid or is unreadable', async () => {
      const path = join(dir, 'LOCK');
      writeFileSync(path, JSON.stringify({ pid: process.pid, hostname: hostname(), token: 'left-behind' }));
      await (await acquireLock(fs, path, { origin })).release();
      writeFileSync(path, '{"pid":12');
      const lock = await acquireLock(fs, path, { origin });
      expect(readdirSync(dir)).toEqual([`LOCK.${lock.generation}`]);
      await lock.release();
    });

    it('refuses with LOCKED while its holder lives', async () => {
      const path = join(dir, 'LOCK');
      writeFileSync(path, JSON.stringify({ pid: process.ppid, hostname: hostname(), token: 'old' }));
      const error = await rejection(acquireLock(fs, path, { origin }));
      expect(error.code).toBe('LOCKED');
      expect(error.message).toContain(`pid ${process.ppid}`);
      expect(readLockHolder(fs, path)?.pid).toBe(process.ppid);
      expect(readdirSync(dir)).toEqual(['LOCK']);
    });
  });

  it('refuses while another live process holds the lock, then takes it over once that process is killed', async () => {
    const path = join(dir, 'LOCK');
    const child = await childHoldingLock(path);
    const error = await rejection(acquireLock(fs, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.file).toBe(path);
    expect(error.message).toContain(`pid ${child.pid}`);

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(readLockHolder(fs, path)?.pid).toBe(child.pid);
    const lock = await acquireLock(fs, path, { origin });
    expect(readLockHolder(fs, path)).toMatchObject({ pid: process.pid, token: lock.token });
    expect(readdirSync(dir)).toEqual(['LOCK.2']);
    await lock.release();
  });
});

describe('acquireLock on a simulated disk', () => {
  it('refuses a second opener before a power cut and takes over the lock left behind after it', async () => {
    const disk = new SimulatedDisk({ seed: 7 });
    disk.mkdir('/db');
    const lock = await acquireLock(disk.mount(), '/db/LOCK', { origin });
    const second = await rejection(acquireLock(disk.mount(), '/db/LOCK', { origin }));
    expect(second.code).toBe('LOCKED');
    disk.powerCut({ mode: 'keep-prefix' });
    const successor = await acquireLock(disk.mount(), '/db/LOCK', { origin });
    expect(readLockHolder(disk, '/db/LOCK')?.token).toBe(successor.token);
    // The old holder's mount died with the power: it can neither release nor harm the successor.
    await expect(lock.release()).rejects.toMatchObject({ code: 'IO' });
    expect(readLockHolder(disk, '/db/LOCK')?.token).toBe(successor.token);
    await successor.release();
    expect(readLockHolder(disk, '/db/LOCK')).toBeUndefined();
    expect(disk.readdir('/db')).toEqual([`LOCK.${successor.generation + 1}`]);
  });

  it('keeps separate simulated disks apart', async () => {
    const first = new SimulatedDisk();
    const second = new SimulatedDisk();
    const locks = [await acquireLock(first, '/LOCK', { origin }), await acquireLock(second, '/LOCK', { origin })];
    for (const lock of locks) await lock.release();
    expect(locks).toHaveLength(2);
  });

  it('reports a failing disk as IO and leaves no lock behind', async () => {
    const disk = new SimulatedDisk();
    disk.failNext('sync', 'EIO');
    const error = await rejection(acquireLock(disk, '/LOCK', { origin }));
    expect(error.code).toBe('IO');
    expect(error.file).toBe('/LOCK');
    // The failed generation was let go of at once: the next one says free.
    expect(readLockHolder(disk, '/LOCK')).toBeUndefined();
    const lock = await acquireLock(disk, '/LOCK', { origin });
    await lock.release();
  });
});

describe('acquireLock through wrappers', () => {
  it('treats a wrapper of the real file system as the same disk: a second opener is refused', async () => {
    const path = join(dir, 'LOCK');
    const wrapper = { ...fs, open: fs.open.bind(fs) };
    const lock = await acquireLock(fs, path, { origin });
    const error = await rejection(acquireLock(wrapper, path, { origin }));
    expect(error.code).toBe('LOCKED');
    await lock.release();
  });

  it('keeps a spread wrapper of a simulated disk on that disk', async () => {
    const disk = new SimulatedDisk();
    const mount = disk.mount();
    const wrapper = { ...mount, readFile: mount.readFile };
    const lock = await acquireLock(mount, '/LOCK', { origin });
    expect((await rejection(acquireLock(wrapper, '/LOCK', { origin }))).code).toBe('LOCKED');
    await lock.release();
  });
});
