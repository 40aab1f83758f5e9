import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from './node-file-system.js';

// What a descriptor points at is read from /proc (Linux): a handle's descriptor is private,
// and these tests are about when it is closed, never leaked, and never used once closed.
const procFds = '/proc/self/fd';

/** The descriptors of this process open on `path`. */
function descriptorsOn(path: string): number[] {
  return readdirSync(procFds)
    .filter((name) => {
      try {
        return readlinkSync(join(procFds, name)) === path;
      } catch {
        return false; // the descriptor readdir itself used, closed by now
      }
    })
    .map(Number);
}

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-fd-')));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(existsSync(procFds))('nodeFileSystem descriptors', () => {
  it('closes a handle at once when no fsync runs, and leaks no descriptor', () => {
    const path = join(dir, 'a');
    const handle = fs.open(path, 'create');
    expect(descriptorsOn(path)).toHaveLength(1);
    handle.close();
    expect(descriptorsOn(path)).toEqual([]);
  });

  it('keeps the descriptor of a handle closed during an fsync until that fsync ends, then closes it', async () => {
    const path = join(dir, 'a');
    const handle = fs.open(path, 'create');
    handle.append(new Uint8Array([1, 2, 3]));
    const syncing = handle.sync();
    handle.close();
    // Not reusable while the fsync on the pool still uses it.
    expect(descriptorsOn(path)).toHaveLength(1);
    await syncing;
    expect(descriptorsOn(path)).toEqual([]);
  });

  it('with two fsyncs in flight, closes the descriptor only after the last of them', async () => {
    const path = join(dir, 'a');
    const handle = fs.open(path, 'create');
    const first = handle.sync();
    const second = handle.sync();
    handle.close();
    const openAfterOne = await Promise.race([first, second]).then(() => descriptorsOn(path).length);
    expect(openAfterOne).toBe(1);
    await Promise.all([first, second]);
    expect(descriptorsOn(path)).toEqual([]);
  });

  it('never fsyncs a descriptor number reused by a later open: sync on a closed handle rejects with EBADF', async () => {
    const path = join(dir, 'a');
    const old = fs.open(path, 'create');
    const [number] = descriptorsOn(path);
    old.close();
    // The lowest free number is handed out again: open files until one of them holds the
    // closed handle's number (the test runner may take a number meanwhile).
    const reusers = [];
    let reused = false;
    for (let index = 0; index < 20 && !reused; index++) {
      const other = join(dir, `b${index}`);
      reusers.push(fs.open(other, 'create'));
      reused = descriptorsOn(other)[0] === number;
    }
    expect(reused).toBe(true);
    await expect(old.sync()).rejects.toMatchObject({ code: 'EBADF' });
    await expect(old.sync({ inThread: true })).rejects.toMatchObject({ code: 'EBADF' });
    for (const reuser of reusers) reuser.close();
  });

  it("rejects with fsync's own error, on the pool and in the calling thread (EINVAL on a FIFO)", async () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    // O_RDWR on a FIFO opens without waiting for a reader (Linux).
    const handle = fs.open(path, 'write');
    await expect(handle.sync()).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(handle.sync({ inThread: true })).rejects.toMatchObject({ code: 'EINVAL' });
    handle.close();
    expect(descriptorsOn(path)).toEqual([]);
  });

  it('closes the folder it opened to fsync it', async () => {
    await fs.syncDirectory(dir);
    expect(descriptorsOn(dir)).toEqual([]);
  });
});
