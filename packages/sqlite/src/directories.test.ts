import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DirectoryCalls, makeParentDirectories } from './directories.js';
import { SqliteBackend } from './sqlite-backend.js';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(join(tmpdir(), 'stowage-sqlite-dirs-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** The real calls, recorded: what was created and which directory each fsync was of. */
function recording(): { calls: DirectoryCalls; log: string[] } {
  const log: string[] = [];
  const open = new Map<number, string>();
  const calls: DirectoryCalls = {
    existsSync: fs.existsSync,
    mkdirSync(path) {
      log.push(`mkdir ${path}`);
      return fs.mkdirSync(path);
    },
    openSync(path, flags) {
      const descriptor = fs.openSync(path, flags);
      open.set(descriptor, path);
      return descriptor;
    },
    fsyncSync(descriptor) {
      log.push(`fsync ${open.get(descriptor)}`);
      fs.fsyncSync(descriptor);
    },
    closeSync(descriptor) {
      open.delete(descriptor);
      fs.closeSync(descriptor);
    },
  };
  return { calls, log };
}

describe('missing directories of a new store', () => {
  it('are created, so the README example works in a fresh folder, and the store reopens', async () => {
    const file = join(root, 'data', 'nested', 'app.db');
    const backend = new SqliteBackend({ file, table: 'sessions' });
    await backend.open();
    await backend.set('user:1', 'Ada');
    await backend.close();
    const reopened = new SqliteBackend({ file, table: 'sessions' });
    await reopened.open();
    expect(await reopened.get('user:1')).toBe('Ada');
    await reopened.close();
  });

  it('are created top down, each followed by an fsync of its parent, so a power cut keeps them', () => {
    fs.mkdirSync(join(root, 'a'));
    const { calls, log } = recording();
    makeParentDirectories(join(root, 'a', 'b', 'c', 'store.db'), calls);
    expect(log).toEqual([
      `mkdir ${join(root, 'a', 'b')}`,
      `fsync ${join(root, 'a')}`,
      `mkdir ${join(root, 'a', 'b', 'c')}`,
      `fsync ${join(root, 'a', 'b')}`,
    ]);
    expect(fs.statSync(join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
  });

  it('leave existing directories alone: nothing is created or synced', () => {
    const { calls, log } = recording();
    makeParentDirectories(join(root, 'store.db'), calls);
    expect(log).toEqual([]);
  });

  it('are not created for a read-only store, which refuses a missing file instead', async () => {
    const file = join(root, 'missing', 'store.db');
    const error = await new SqliteBackend({ file, readonly: true }).open().catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'READ_ONLY' });
    expect(fs.existsSync(join(root, 'missing'))).toBe(false);
  });
});
