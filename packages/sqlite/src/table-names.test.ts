import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import { StowageError } from '@stowage/core';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';

const dir = tempDir('stowage-sqlite-names');
let directory: string;
let file: string;

beforeEach(() => {
  directory = dir();
  file = join(directory, 'store.db');
});

function refusal(create: () => unknown): StowageError {
  try {
    create();
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a StowageError');
}

async function openFailure(backend: SqliteBackend): Promise<StowageError> {
  const error = await backend.open().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!StowageError.is(error)) throw new Error(`expected a StowageError, got ${String(error)}`);
  return error;
}

describe('table names as SQLite resolves them (case-insensitively)', () => {
  it('refuses a name with capitals, which SQLite would take for the lowercase table, naming that spelling', () => {
    for (const table of ['Users', 'USERS', 'uSers_2']) {
      const error = refusal(() => new SqliteBackend({ file, table }));
      expect(error).toMatchObject({ code: 'INVALID_CONFIG', origin: '@stowage/sqlite' });
      expect(error.message).toContain(JSON.stringify(table.toLowerCase()));
    }
  });

  it('so two stores of one file can never share a table: what one clears, the other keeps', async () => {
    const users = new SqliteBackend({ file, table: 'users' });
    const others = new SqliteBackend({ file, table: 'users_2' });
    await users.open();
    await others.open();
    await users.set('k', 'user');
    await others.set('k', 'other');
    await users.clear();
    expect(await others.get('k')).toBe('other');
    expect(await users.get('k')).toBeUndefined();
    await users.close();
    await others.close();
  });

  it('finds a table another program created with capitals, also read-only, and creates no second one', async () => {
    const raw = new Database(file);
    raw.exec(
      'CREATE TABLE "Users" (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL, expires_at INTEGER) WITHOUT ROWID',
    );
    raw.prepare('INSERT INTO "Users" (key, value) VALUES (?, ?)').run('ada', 'lovelace');
    raw.close();
    const reader = new SqliteBackend({ file, table: 'users', readonly: true });
    await reader.open();
    expect(await reader.get('ada')).toBe('lovelace');
    await reader.close();
    const writer = new SqliteBackend({ file, table: 'users' });
    await writer.open();
    await writer.set('grace', 'hopper');
    await writer.close();
    const check = new Database(file, { readonly: true });
    const tables = check.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(['Users']);
    expect(check.prepare('SELECT count(*) FROM "Users"').pluck().get()).toBe(2);
    check.close();
  });

  it.each(['sqlite_store', 'SQLITE_STORE', 'Sqlite_master'])(
    'refuses the reserved name %s with INVALID_CONFIG, before any file is touched',
    (table) => {
      const error = refusal(() => new SqliteBackend({ file, table }));
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.message).toContain('reserved');
    },
  );

  it('refuses a name taken by an index, view or trigger with INVALID_CONFIG naming it, not IO', async () => {
    const raw = new Database(file);
    raw.exec('CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)');
    raw.exec('CREATE INDEX "Lookup" ON things (name)');
    raw.exec('CREATE VIEW named AS SELECT name FROM things');
    raw.close();
    for (const table of ['lookup', 'named']) {
      const error = await openFailure(new SqliteBackend({ file, table }));
      expect(error).toMatchObject({ code: 'INVALID_CONFIG', file });
      expect(error.message).toMatch(/taken by (index|view)/);
    }
  });

  it("refuses a store whose table or index name is another store's expiry index, in either order", async () => {
    const first = new SqliteBackend({ file, table: 'a' });
    await first.open();
    await first.close();
    const error = await openFailure(new SqliteBackend({ file, table: 'a_expires_at' }));
    expect(error).toMatchObject({ code: 'INVALID_CONFIG' });
    const otherFile = join(directory, 'other.db');
    const second = new SqliteBackend({ file: otherFile, table: 'b_expires_at' });
    await second.open();
    await second.set('k', 'v');
    await second.close();
    const clash = await openFailure(new SqliteBackend({ file: otherFile, table: 'b' }));
    expect(clash).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(clash.message).toContain('expiry index');
    const intact = new SqliteBackend({ file: otherFile, table: 'b_expires_at', readonly: true });
    await intact.open();
    expect(await intact.get('k')).toBe('v');
    await intact.close();
  });
});
