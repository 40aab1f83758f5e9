/**
 * The one table a store lives in. Keys are TEXT with the BINARY collation (UTF-8 byte
 * order = code-point order); values keep their type: a string is stored as TEXT, bytes as
 * a BLOB (the column has BLOB affinity, so SQLite never converts '123' into a number);
 * expires_at holds the TTL hint under a partial index, so the sweep is one index range
 * DELETE that never visits an entry without expiry. WITHOUT ROWID: the key is the b-tree
 * key, so a lookup is one descent and the table is its own index.
 */
import { StowageError } from '@stowage/core';
import type { SqliteDatabase } from './driver.js';
import { origin } from './errors.js';

/** `name` in double quotes; names are validated as identifiers too, so this is belt and braces. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The name of the expiry index of `table`. */
export function expiryIndexName(table: string): string {
  return `${table}_expires_at`;
}

/** Creates the table and its expiry index unless they exist; refuses a same-named table of another shape. */
export function createSchema(database: SqliteDatabase, table: string, file: string): void {
  const quoted = quoteIdentifier(table);
  assertNamesFree(database, table, file);
  database.exec(
    `CREATE TABLE IF NOT EXISTS ${quoted} (
       key TEXT COLLATE BINARY PRIMARY KEY NOT NULL,
       value BLOB NOT NULL,
       expires_at INTEGER
     ) WITHOUT ROWID`,
  );
  assertSchema(database, table, file);
  database.exec(
    `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(expiryIndexName(table))}
       ON ${quoted} (expires_at) WHERE expires_at IS NOT NULL`,
  );
}

/**
 * True when `table` exists in the main schema. Names are compared as SQLite resolves them,
 * ignoring ASCII case: a table created as `Users` is the table `users`.
 */
export function tableExists(database: SqliteDatabase, table: string): boolean {
  return (
    database
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE")
      .pluck()
      .get(table) !== undefined
  );
}

/**
 * Refuses a table name whose table or expiry index name is taken by another kind of object
 * (an index, view or trigger of the same name, or the index of another store: store
 * `a_expires_at` beside store `a`). SQLite would fail the CREATE with a bare error; this
 * says which name is taken and what to do.
 */
export function assertNamesFree(database: SqliteDatabase, table: string, file: string): void {
  const index = expiryIndexName(table);
  const objects = database
    .prepare(
      'SELECT type, name, tbl_name AS owner FROM sqlite_schema WHERE name = ? COLLATE NOCASE OR name = ? COLLATE NOCASE',
    )
    .all(table, index) as { type: string; name: string; owner: string }[];
  for (const object of objects) {
    const isTable = object.name.toLowerCase() === table;
    const fits = isTable ? object.type === 'table' : object.type === 'index' && object.owner.toLowerCase() === table;
    if (fits) continue;
    throw new StowageError(
      'INVALID_CONFIG',
      `table ${table} cannot be used in ${file}: the name ${object.name} (needed for its ${isTable ? 'table' : 'expiry index'}) is taken by ${object.type} ${object.name}${object.type === 'index' ? ` of table ${object.owner}` : ''}; choose another table name`,
      { origin, file },
    );
  }
}

/** Refuses a table of the same name that some other program created with other columns. */
export function assertSchema(database: SqliteDatabase, table: string, file: string): void {
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
