import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  it('writes pid, hostname and token, and removes the file on release', async () => {
    const path = join(dir, 'LOCK');
    const lock = await acquireLock(fs, path, { origin });
    expect(readLockHolder(fs, path)).toEqual({ pid: process.pid, hostname: hostname(), token: lock.token });
    await lock.release();
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
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

  it('takes over a lock file with our own pid that no live lock of this process owns', async () => {
    const path = join(dir, 'LOCK');
    writeFileSync(path, JSON.stringify({ pid: process.pid, hostname: hostname(), token: 'left-behind' }));
    const lock = await acquireLock(fs, path, { origin });
    expect(readLockHolder(fs, path)?.token).toBe(lock.token);
    expect(readdirSync(dir)).toEqual(['LOCK']);
    await lock.release();
  });

  it('takes over an unreadable (torn) lock file', async () => {
    const path = join(dir, 'LOCK');
    writeFileSync(path, '{"pid":12');
    const lock = await acquireLock(fs, path, { origin });
    expect(readLockHolder(fs, path)?.token).toBe(lock.token);
    await lock.release();
  });

  it('never takes over a lock held from another host', async () => {
    const path = join(dir, 'LOCK');
    writeFileSync(path, JSON.stringify({ pid: 999_999_999, hostname: `not-${hostname()}`, token: 't' }));
    const error = await rejection(acquireLock(fs, path, { origin }));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain('999999999');
  });

  it('does not remove a successor lock when the old holder releases late', async () => {
    const path = join(dir, 'LOCK');
    const old = await acquireLock(fs, path, { origin });
    writeFileSync(path, JSON.stringify({ pid: process.pid, hostname: hostname(), token: 'successor' }));
    await old.release();
    expect(readLockHolder(fs, path)?.token).toBe('successor');
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
    expect(readdirSync(dir)).toEqual(['LOCK']);
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
    expect(disk.readdir('/db')).toEqual([]);
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
    expect(disk.readdir('/')).toEqual([]);
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
