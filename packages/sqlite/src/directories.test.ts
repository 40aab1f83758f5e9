import * as fs from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import { nodeFileSystem } from '@stowage/fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';

const dir = tempDir('stowage-sqlite-dirs');
let root: string;

beforeEach(() => {
  root = dir();
});

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

  it("are created through @stowage/fs's makeDirectoryDurable: each new folder's parent fsynced, outermost first", async () => {
    fs.mkdirSync(join(root, 'a'));
    const synced = vi.spyOn(nodeFileSystem, 'syncDirectory');
    try {
      const backend = new SqliteBackend({ file: join(root, 'a', 'b', 'c', 'store.db') });
      await backend.open();
      await backend.close();
      expect(synced.mock.calls.map(([path]) => path)).toEqual([join(root, 'a'), join(root, 'a', 'b')]);
      expect(fs.statSync(join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
    } finally {
      synced.mockRestore();
    }
  });

  it('leave existing folders alone: nothing is synced', async () => {
    const synced = vi.spyOn(nodeFileSystem, 'syncDirectory');
    try {
      const backend = new SqliteBackend({ file: join(root, 'store.db') });
      await backend.open();
      await backend.close();
      expect(synced).not.toHaveBeenCalled();
    } finally {
      synced.mockRestore();
    }
  });

  it('are not created for a read-only store, which refuses a missing file instead', async () => {
    const file = join(root, 'missing', 'store.db');
    const error = await new SqliteBackend({ file, readonly: true }).open().catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'READ_ONLY' });
    expect(fs.existsSync(join(root, 'missing'))).toBe(false);
  });
});
