/**
 * The one table a store lives in. Keys are TEXT with the BINARY collation (UTF-8 byte
 * order = code-point order); values keep their type: a string is stored as TEXT, bytes as
 * a BLOB (the column has BLOB affinity, so SQLite never converts '123' into a number);
 * expires_at holds the TTL hint under a partial index, so the sweep is one index range
 * DELETE that never visits an entry without expiry. WITHOUT ROWID: the key is the b-tree
 * key, so a lookup is one descent and the table is its own index.
 */
import { StowageError } from '@stowage/core';
import type BetterSqlite3 from 'better-sqlite3';
import { origin } from './origin.js';

/** `name` in double quotes; names are validated as identifiers too, so this is belt and braces. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Creates the table and its expiry index unless they exist; refuses a same-named table of another shape. */
export function createSchema(database: BetterSqlite3.Database, table: string, file: string): void {
  const quoted = quoteIdentifier(table);
  database.exec(
    `CREATE TABLE IF NOT EXISTS ${quoted} (
       key TEXT COLLATE BINARY PRIMARY KEY NOT NULL,
       value BLOB NOT NULL,
       expires_at INTEGER
     ) WITHOUT ROWID`,
  );
  assertSchema(database, table, file);
  database.exec(
    `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${table}_expires_at`)}
       ON ${quoted} (expires_at) WHERE expires_at IS NOT NULL`,
  );
}

/** True when `table` exists in the main schema. */
export function tableExists(database: BetterSqlite3.Database, table: string): boolean {
  return (
    database.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").pluck().get(table) !== undefined
  );
}

/** Refuses a table of the same name that some other program created with other columns. */
export function assertSchema(database: BetterSqlite3.Database, table: string, file: string): void {
  const columns = database.pragma(`table_info(${quoteIdentifier(table)})`) as { name: string }[];
  const names = new Set(columns.map((column) => column.name));
  for (const required of ['key', 'value', 'expires_at']) {
    if (!names.has(required)) {
      throw new StowageError(
        'INVALID_CONFIG',
        `table ${table} in ${file} exists but has no ${required} column; choose another table name`,
        { origin, file },
      );
    }
  }
}
