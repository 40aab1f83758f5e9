import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import { StowageError } from '@stowage/core';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { sqliteError } from './errors.js';
import { SqliteBackend } from './sqlite-backend.js';

const dir = tempDir('stowage-sqlite-errors');
let directory: string;
let file: string;

beforeEach(() => {
  directory = dir();
  file = join(directory, 'store.db');
});

async function failure(promise: Promise<unknown>): Promise<StowageError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!StowageError.is(error)) throw new Error(`expected a StowageError, got ${String(error)}`);
  return error;
}

/** A real store file holding `count` entries, closed. */
async function storeWith(count: number): Promise<void> {
  const backend = new SqliteBackend({ file });
  await backend.open();
  await backend.apply(
    Array.from(
      { length: count },
      (_, i) => ({ type: 'set', key: `key${String(i).padStart(5, '0')}`, value: 'v'.repeat(100) }) as const,
    ),
  );
  await backend.close();
}

describe('files that are not a healthy database', () => {
  it('fails the open of a file that is not a database with CORRUPTION naming the file', async () => {
    writeFileSync(file, 'name,value\nthis is a CSV file, not a database\n'.repeat(100));
    const backend = new SqliteBackend({ file });
    const error = await failure(backend.open());
    expect(error.code).toBe('CORRUPTION');
    expect(error.file).toBe(file);
    expect(error.message).toContain(file);
    expect(error.origin).toBe('@stowage/sqlite');
    expect(backend.state).toBe('new');
  });

  it('reports a damaged table as CORRUPTION naming the file, on open or on the first read', async () => {
    await storeWith(2000);
    const size = statSync(file).size;
    const descriptor = openSync(file, 'r+');
    // Keep page 1 (the header and the schema), overwrite every page of the table.
    writeSync(descriptor, Buffer.alloc(size - 8192, 0xa5), 0, size - 8192, 8192);
    closeSync(descriptor);
    const backend = new SqliteBackend({ file });
    const error = await failure(backend.open().then(() => backend.get('key01000')));
    expect(error.code).toBe('CORRUPTION');
    expect(error.file).toBe(file);
    await backend.close();
  });

  it('reports a value of an unexpected type as CORRUPTION naming the key, on get and in iteration', async () => {
    await storeWith(3);
    const raw = new Database(file);
    raw.prepare('UPDATE stowage SET value = 42 WHERE key = ?').run('key00001');
    raw.close();
    const backend = new SqliteBackend({ file });
    await backend.open();
    const onGet = await failure(backend.get('key00001'));
    expect(onGet).toMatchObject({ code: 'CORRUPTION', key: 'key00001', file });
    expect(onGet.message).toContain('key00001');
    const onGetMany = await failure(backend.getMany(['key00000', 'key00001']));
    expect(onGetMany).toMatchObject({ code: 'CORRUPTION', key: 'key00001' });
    const seen: string[] = [];
    const inIteration = await failure(
      (async () => {
        for await (const [key] of backend.entries()) seen.push(key);
      })(),
    );
    expect(inIteration).toMatchObject({ code: 'CORRUPTION', key: 'key00001' });
    expect(seen).toEqual(['key00000']);
    await backend.close();
  });

  it('refuses a table of the same name with other columns', async () => {
    const raw = new Database(file);
    raw.exec('CREATE TABLE stowage (id INTEGER PRIMARY KEY, name TEXT)');
    raw.close();
    const error = await failure(new SqliteBackend({ file }).open());
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('stowage');
  });

  it('fails with IO naming the file when a directory on its path is a file', async () => {
    writeFileSync(join(directory, 'plain'), 'not a directory');
    const blocked = join(directory, 'plain', 'sub', 'store.db');
    const error = await failure(new SqliteBackend({ file: blocked }).open());
    expect(error.code).toBe('IO');
    expect(error.file).toBe(blocked);
  });
});

describe('read-only stores', () => {
  // Tests run as root, for whom chmod does not stop a write: read-only is asked for instead.
  it('refuses writes with READ_ONLY when opened with readonly, and still reads', async () => {
    await storeWith(2);
    const backend = new SqliteBackend({ file, readonly: true });
    await backend.open();
    expect(await backend.get('key00000')).toBe('v'.repeat(100));
    expect((await failure(backend.set('key00000', 'changed'))).code).toBe('READ_ONLY');
    expect((await failure(backend.delete('key00000'))).code).toBe('READ_ONLY');
    expect((await failure(backend.apply([{ type: 'delete', key: 'key00001' }]))).code).toBe('READ_ONLY');
    expect((await failure(backend.clear())).code).toBe('READ_ONLY');
    expect(await backend.get('key00000')).toBe('v'.repeat(100));
    await backend.close();
  });

  it('refuses writes with READ_ONLY on a Database opened read-only', async () => {
    await storeWith(1);
    const database = new Database(file, { readonly: true });
    const backend = new SqliteBackend({ database, closeDatabase: true });
    await backend.open();
    const error = await failure(backend.set('k', 'v'));
    expect(error).toMatchObject({ code: 'READ_ONLY', file, key: 'k' });
    await backend.close();
  });

  it('fails to open read-only when the table was never created', async () => {
    new Database(file).close();
    const error = await failure(new SqliteBackend({ file, readonly: true }).open());
    expect(error.code).toBe('READ_ONLY');
  });
});

describe('sqliteError', () => {
  it.each([
    ['SQLITE_BUSY', 'LOCKED'],
    ['SQLITE_BUSY_SNAPSHOT', 'LOCKED'],
    ['SQLITE_LOCKED', 'LOCKED'],
    ['SQLITE_NOTADB', 'CORRUPTION'],
    ['SQLITE_CORRUPT_INDEX', 'CORRUPTION'],
    ['SQLITE_READONLY_DBMOVED', 'READ_ONLY'],
    ['SQLITE_FULL', 'IO'],
    ['SQLITE_IOERR_FSYNC', 'IO'],
  ])('maps %s to %s, keeping the original as cause', (sqliteCode, code) => {
    const original = Object.assign(new Error('driver says no'), { code: sqliteCode });
    const error = sqliteError(original, '/data/x.db', 'k');
    expect(error).toMatchObject({ code, file: '/data/x.db', key: 'k', origin: '@stowage/sqlite' });
    expect(error.cause).toBe(original);
  });

  it('maps an error that is not from SQLite to IO', () => {
    expect(sqliteError(new TypeError('boom'), 'x.db').code).toBe('IO');
  });

  it.each([
    ['EROFS', 'READ_ONLY'],
    ['EACCES', 'READ_ONLY'],
    ['ENOSPC', 'IO'],
  ])('maps a file system error %s to %s, as core does, naming the store file', (errno, code) => {
    const original = Object.assign(new Error(`${errno}: mkdir`), { code: errno, path: '/data' });
    expect(sqliteError(original, '/data/x.db')).toMatchObject({ code, file: '/data/x.db', cause: original });
  });
});
