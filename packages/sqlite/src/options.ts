/**
 * The options of SqliteBackend, and their checking: every option is validated in the
 * constructor so a misconfigured store fails before it touches a file.
 */
import { assertKnownOptions, type DurabilityLevel } from '@stowage/core';
import type { SqliteDatabase } from './driver.js';
import { configError, origin } from './errors.js';

/** Where the data lives: a file (or `:memory:`), opened and owned by the backend. */
export interface SqliteFileOptions {
  /** Path of the database file, or `:memory:` for a store that lives and dies with the backend. */
  readonly file: string;
  /**
   * Open the file read-only: every write fails with READ_ONLY, and the file is never created.
   * On a location SQLite cannot write its `-wal`/`-shm` files to (a read-only mount), the
   * store is read from a private copy in the temp directory, a snapshot as of the open.
   */
  readonly readonly?: boolean;
}

/** Where the data lives: a better-sqlite3 Database the caller already holds. */
export interface SqliteDatabaseOptions {
  readonly database: SqliteDatabase;
  /** Close `database` when the backend closes (default false: the caller still owns it). */
  readonly closeDatabase?: boolean;
}

export interface SqliteCommonOptions {
  /**
   * Table holding the entries (default `stowage`): lowercase letters, digits and `_`, at most
   * 64 characters, not starting with `sqlite_`. SQLite ignores the case of table names, so
   * `Users` would be the same table as `users`; only the lowercase spelling is accepted.
   */
  readonly table?: string;
  /**
   * Core's durability levels, with SQLite's names as aliases:
   * - `none` = `normal` (default): `synchronous = NORMAL`; a commit survives a process crash,
   *   but a power cut may roll back the latest commits (never tear one).
   * - `batch` and `always` = `full`: `synchronous = FULL`; the WAL is fsynced before a commit
   *   returns, so an acknowledged write survives a power cut. Writes of one turn of the event
   *   loop share one commit and one fsync in either (see README).
   */
  readonly durability?: SqliteDurability;
  /** How long a write waits for another connection's lock before failing with LOCKED, in ms (default 5,000). */
  readonly busyTimeout?: number;
  /** Rows read per query while iterating (default 256): the cursor pages through the range. */
  readonly iterationChunkSize?: number;
}

/** A durability level of core, or an alias named after SQLite's `synchronous` setting. */
export type SqliteDurability = DurabilityLevel | 'normal' | 'full';

/** What each accepted name means, in core's levels. */
const durabilityLevels: Readonly<Record<SqliteDurability, DurabilityLevel>> = {
  none: 'none',
  normal: 'none',
  batch: 'batch',
  always: 'always',
  full: 'always',
};

export type SqliteBackendOptions = (SqliteFileOptions | SqliteDatabaseOptions) & SqliteCommonOptions;

/** The options after checking, with defaults filled in. */
export interface ResolvedOptions {
  readonly source: { readonly file: string; readonly readonly: boolean } | { readonly database: SqliteDatabase };
  readonly closeDatabase: boolean;
  readonly table: string;
  /** As core names it: `none` runs `synchronous = NORMAL`, `batch` and `always` `FULL`. */
  readonly durability: DurabilityLevel;
  readonly busyTimeout: number;
  readonly iterationChunkSize: number;
}

/** Every option name SqliteBackend knows; any other is refused. */
const optionNames: readonly string[] = [
  'file',
  'readonly',
  'database',
  'closeDatabase',
  'table',
  'durability',
  'busyTimeout',
  'iterationChunkSize',
] satisfies readonly (keyof SqliteFileOptions | keyof SqliteDatabaseOptions | keyof SqliteCommonOptions)[];

/** A table name: lowercase, because SQLite folds the case of names (see `checkTable`). */
const identifier = /^[a-z_][a-z0-9_]{0,63}$/;

export function resolveOptions(options: SqliteBackendOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  // A misspelled name ({ tabel: 'users' }) would otherwise be ignored and the default used.
  assertKnownOptions(origin, options, optionNames);
  for (const name of ['readonly', 'closeDatabase'] as const) {
    const value = (options as unknown as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== 'boolean')
      fail(`${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  const table = checkTable(options.table ?? 'stowage');
  const durabilityName = options.durability ?? 'normal';
  if (typeof durabilityName !== 'string' || !Object.hasOwn(durabilityLevels, durabilityName)) {
    fail(
      `durability must be one of ${Object.keys(durabilityLevels)
        .map((name) => `'${name}'`)
        .join(', ')}, got ${JSON.stringify(durabilityName)}`,
    );
  }
  const durability = durabilityLevels[durabilityName];
  const busyTimeout = options.busyTimeout ?? 5000;
  if (!Number.isInteger(busyTimeout) || busyTimeout < 0 || busyTimeout > 2 ** 31 - 1) {
    fail('busyTimeout must be a non-negative integer number of ms');
  }
  const iterationChunkSize = options.iterationChunkSize ?? 256;
  if (!Number.isInteger(iterationChunkSize) || iterationChunkSize < 1) {
    fail('iterationChunkSize must be a positive integer');
  }
  const common = { table, durability, busyTimeout, iterationChunkSize };

  if ('database' in options && options.database !== undefined) {
    if ('file' in options && (options as { file?: unknown }).file !== undefined)
      fail('give file or database, not both');
    const database = options.database;
    if (typeof database !== 'object' || database === null || typeof database.prepare !== 'function') {
      fail('database must be a better-sqlite3 Database');
    }
    if ((options as { readonly?: unknown }).readonly === true && !database.readonly) {
      fail('readonly applies to file; open the Database itself with { readonly: true }');
    }
    return { source: { database }, closeDatabase: options.closeDatabase === true, ...common };
  }
  if (!('file' in options) || typeof options.file !== 'string' || options.file === '') {
    fail('give file (a path or ":memory:") or database');
  }
  const readonly = options.readonly === true;
  if (readonly && options.file === ':memory:') fail('a :memory: store cannot be read-only');
  return { source: { file: options.file, readonly }, closeDatabase: true, ...common };
}

/**
 * The table name, refused unless it names exactly one table nobody else owns. SQLite
 * compares names ignoring (ASCII) case, so `Users` and `users` are one table: accepting both
 * spellings would let two stores share rows, and one's clear() wipe the other. Names
 * starting with `sqlite_` (any case) are SQLite's own.
 */
function checkTable(table: unknown): string {
  if (typeof table !== 'string') fail(`table must be a string, got ${typeof table}`);
  if (table.toLowerCase().startsWith('sqlite_')) {
    fail(`table ${JSON.stringify(table)} is reserved: names starting with sqlite_ belong to SQLite`);
  }
  if (!identifier.test(table)) {
    if (identifier.test(table.toLowerCase())) {
      fail(
        `table ${JSON.stringify(table)} must be lowercase: SQLite ignores the case of table names, so it is the same table as ${JSON.stringify(table.toLowerCase())}; write that`,
      );
    }
    fail(`table must match ${identifier} (lowercase letters, digits and _, at most 64), got ${JSON.stringify(table)}`);
  }
  return table;
}

function fail(message: string): never {
  throw configError(message);
}
