/**
 * The SQLite driver as this engine uses it, typed by shape (the way kysely types its SQLite
 * dialect): exactly the better-sqlite3 members the engine calls, nothing more. The public
 * types (the `database` option) name these interfaces, so a user needs no
 * `@types/better-sqlite3` to compile against this package, and a better-sqlite3 `Database`
 * fits them as it is (a test checks that it does). better-sqlite3 itself is loaded only here.
 */
import BetterSqlite3 from 'better-sqlite3';

/** A prepared statement. Parameters are bound positionally. */
export interface SqliteStatement {
  /** The first row, or undefined when there is none. */
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
  iterate(...parameters: unknown[]): IterableIterator<unknown>;
  run(...parameters: unknown[]): { readonly changes: number };
  /** Rows as their first column's value. */
  pluck(toggle?: boolean): this;
  /** Rows as arrays instead of objects. */
  raw(toggle?: boolean): this;
}

/** A function wrapped in a transaction: calling it runs BEGIN, the function, COMMIT (or ROLLBACK on a throw). */
export interface SqliteTransaction<Parameters extends unknown[], Result> {
  (...parameters: Parameters): Result;
  /** The same with BEGIN IMMEDIATE: the write lock is taken (or waited for) up front. */
  immediate(...parameters: Parameters): Result;
}

/** A connection to one database: what this engine needs of a better-sqlite3 `Database`. */
export interface SqliteDatabase {
  /** The file name it was opened with (`:memory:` for an in-memory database). */
  readonly name: string;
  readonly open: boolean;
  readonly readonly: boolean;
  readonly memory: boolean;
  readonly inTransaction: boolean;
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  pragma(source: string, options?: { readonly simple?: boolean }): unknown;
  transaction<Parameters extends unknown[], Result>(
    body: (...parameters: Parameters) => Result,
  ): SqliteTransaction<Parameters, Result>;
  close(): unknown;
}

export interface OpenDatabaseOptions {
  readonly readonly?: boolean;
  /** Fail with SQLITE_CANTOPEN instead of creating a missing file. */
  readonly fileMustExist?: boolean;
  /** The busy timeout, ms. */
  readonly timeout: number;
}

/** Opens `path` with better-sqlite3 (creating it unless `readonly` or `fileMustExist`). */
export function openDatabase(path: string, options: OpenDatabaseOptions): SqliteDatabase {
  return new BetterSqlite3(path, options);
}
