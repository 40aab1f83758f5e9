/**
 * A read-only mount: every refusal must reach the user as READ_ONLY, including a folder
 * that cannot be created (node's recursive mkdir says ENOENT there; the layer says EROFS).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StowageError } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileError } from './errors.js';
import type { FileSystem } from './file-system.js';
import { acquireLock } from './lock.js';
import { nodeFileSystem } from './node-file-system.js';
import { SimulatedDisk } from './simulated-disk.js';

const origin = '@stowage/test';

/** What a call threw, as the engines report it. */
function refusal(call: () => unknown, file: string): StowageError {
  try {
    call();
  } catch (error) {
    return fileError(error, { origin, file, action: 'write' });
  }
  throw new Error('expected the call to be refused');
}

let root: string;
let readOnly: string;
let unmount: () => void = () => undefined;

/**
 * A real read-only folder holding `existing.txt`: a read-only tmpfs mount where we may
 * mount (root), else a folder without write permission (which refuses everyone but root).
 */
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'stowage-ro-'));
  readOnly = join(root, 'mount');
  mkdirSync(readOnly);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', readOnly], { stdio: 'ignore' });
    writeFileSync(join(readOnly, 'existing.txt'), 'kept');
    execFileSync('mount', ['-o', 'remount,ro', readOnly], { stdio: 'ignore' });
    unmount = () => execFileSync('umount', [readOnly], { stdio: 'ignore' });
  } catch {
    writeFileSync(join(readOnly, 'existing.txt'), 'kept');
    chmodSync(readOnly, 0o555);
    unmount = () => chmodSync(readOnly, 0o755);
  }
});

afterAll(() => {
  unmount();
  rmSync(root, { recursive: true, force: true });
});

describe('a read-only mount on the real disk', () => {
  it('refuses creating a folder, deep or not, as READ_ONLY (not IO from ENOENT)', () => {
    for (const folder of [join(readOnly, 'store'), join(readOnly, 'a', 'b', 'c')]) {
      const error = refusal(() => nodeFileSystem.mkdir(folder), folder);
      expect(error.code, error.message).toBe('READ_ONLY');
      expect(error.file).toBe(folder);
    }
    // Folders that exist are fine, as with mkdir -p.
    expect(() => nodeFileSystem.mkdir(readOnly)).not.toThrow();
  });

  it('refuses creating and writing files as READ_ONLY and still reads', () => {
    const existing = join(readOnly, 'existing.txt');
    expect(refusal(() => nodeFileSystem.open(join(readOnly, 'new.txt'), 'createNew'), readOnly).code).toBe('READ_ONLY');
    expect(refusal(() => nodeFileSystem.open(existing, 'write'), existing).code).toBe('READ_ONLY');
    expect(new TextDecoder().decode(nodeFileSystem.readFile(existing))).toBe('kept');
  });

  it('refuses the lock as READ_ONLY', async () => {
    await expect(acquireLock(nodeFileSystem, join(readOnly, 'LOCK'), { origin })).rejects.toMatchObject({
      code: 'READ_ONLY',
    });
  });
});

describe('a read-only simulated disk', () => {
  async function diskWithFile(): Promise<SimulatedDisk> {
    const disk = new SimulatedDisk();
    disk.mkdir('/db');
    const handle = disk.open('/db/data', 'createNew');
    handle.write(new TextEncoder().encode('kept'), 0);
    await handle.sync();
    handle.close();
    disk.setReadOnly(true);
    return disk;
  }

  it('refuses every change with EROFS (READ_ONLY) and changes nothing', async () => {
    const disk = await diskWithFile();
    const fs: FileSystem = disk.mount();
    const changes: Array<[string, () => unknown]> = [
      ['mkdir', () => fs.mkdir('/db/new')],
      ['create', () => fs.open('/db/other', 'create')],
      ['open for writing', () => fs.open('/db/data', 'write')],
      ['rename', () => fs.rename('/db/data', '/db/moved')],
      ['unlink', () => fs.unlink('/db/data')],
    ];
    for (const [what, change] of changes) {
      const error = refusal(change, '/db');
      expect(error.code, what).toBe('READ_ONLY');
      expect((error.cause as { code?: string }).code, what).toBe('EROFS');
    }
    expect(fs.readdir('/db')).toEqual(['data']);
    expect(new TextDecoder().decode(fs.readFile('/db/data'))).toBe('kept');
    expect(() => fs.mkdir('/db')).not.toThrow();
    await expect(acquireLock(fs, '/db/LOCK', { origin })).rejects.toMatchObject({ code: 'READ_ONLY' });
  });

  it('refuses writes through a handle opened before the remount, and writes again once writable', async () => {
    const disk = await diskWithFile();
    disk.setReadOnly(false);
    const handle = disk.open('/db/data', 'write');
    disk.setReadOnly(true);
    expect(disk.readOnly).toBe(true);
    expect(refusal(() => handle.append(new Uint8Array([1])), '/db/data').code).toBe('READ_ONLY');
    disk.setReadOnly(false);
    expect(handle.append(new Uint8Array([1]))).toBe(4);
  });
});
