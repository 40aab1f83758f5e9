/**
 * Every statement the backend runs, prepared once: the point statements at open, each
 * range shape (which bounds, which direction, keys or entries) the first time it is used,
 * then kept. Range reads are keyset pages: `WHERE key > :cursor ... ORDER BY key LIMIT n`,
 * so no statement stays open between two pages (see `SqliteBackend._entries`).
 */
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import type { Bound, KeyBounds } from './key-range.js';
import { quoteIdentifier } from './schema.js';

type Statement = SqliteStatement;

export class Statements {
  /** `SELECT value`, plucked: the value, or undefined for a missing key. */
  readonly get: Statement;
  readonly has: Statement;
  /** `SELECT value, expires_at` as a raw row, for transactions that compare whole rows. */
  readonly row: Statement;
  readonly set: Statement;
  readonly delete: Statement;
  readonly count: Statement;
  readonly sweep: Statement;

  readonly #database: SqliteDatabase;
  readonly #table: string;
  readonly #ranges = new Map<string, Statement>();

  constructor(database: SqliteDatabase, table: string) {
    this.#database = database;
    this.#table = quoteIdentifier(table);
    const t = this.#table;
    this.get = database.prepare(`SELECT value FROM ${t} WHERE key = ?`).pluck();
    this.has = database.prepare(`SELECT 1 FROM ${t} WHERE key = ?`).pluck();
    this.row = database.prepare(`SELECT value, expires_at FROM ${t} WHERE key = ?`).raw();
    // An upsert updates the row in place; INSERT OR REPLACE would delete and reinsert it
    // (and its expiry index entry), measured about 3x slower per autocommit overwrite.
    this.set = database.prepare(
      `INSERT INTO ${t} (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    );
    this.delete = database.prepare(`DELETE FROM ${t} WHERE key = ?`);
    this.count = database.prepare(`SELECT count(*) FROM ${t}`).pluck();
    // `expires_at <= ?` implies `expires_at IS NOT NULL`, so the partial index serves it.
    this.sweep = database.prepare(`DELETE FROM ${t} WHERE expires_at <= ?`);
  }

  /**
   * One page of a range, in key order (descending when `reverse`): rows
   * `[key, value, expires_at]`, or keys alone when `keysOnly`. Bind with `pageParameters`.
   */
  page(bounds: KeyBounds, reverse: boolean, keysOnly: boolean): Statement {
    const shape = `page ${boundShape(bounds)} ${reverse ? 'desc' : 'asc'} ${keysOnly ? 'keys' : 'entries'}`;
    let statement = this.#ranges.get(shape);
    if (statement === undefined) {
      const columns = keysOnly ? 'key' : 'key, value, expires_at';
      statement = this.#database.prepare(
        `SELECT ${columns} FROM ${this.#table}${whereClause(bounds)} ORDER BY key ${reverse ? 'DESC' : 'ASC'} LIMIT ?`,
      );
      statement = keysOnly ? statement.pluck() : statement.raw();
      this.#ranges.set(shape, statement);
    }
    return statement;
  }

  /** Deletes the keys of a range; with `limited`, only the first `?` of them in the given order. */
  clear(bounds: KeyBounds, reverse: boolean, limited: boolean): Statement {
    const shape = `clear ${boundShape(bounds)} ${reverse ? 'desc' : 'asc'} ${limited ? 'limited' : 'all'}`;
    let statement = this.#ranges.get(shape);
    if (statement === undefined) {
      const t = this.#table;
      const where = whereClause(bounds);
      statement = this.#database.prepare(
        limited
          ? `DELETE FROM ${t} WHERE key IN (SELECT key FROM ${t}${where} ORDER BY key ${reverse ? 'DESC' : 'ASC'} LIMIT ?)`
          : `DELETE FROM ${t}${where}`,
      );
      this.#ranges.set(shape, statement);
    }
    return statement;
  }
}

/** The values for the placeholders of `whereClause(bounds)`, lower first. */
export function boundParameters(bounds: KeyBounds): string[] {
  const parameters: string[] = [];
  if (bounds.lower !== undefined) parameters.push(bounds.lower.key);
  if (bounds.upper !== undefined) parameters.push(bounds.upper.key);
  return parameters;
}

function whereClause(bounds: KeyBounds): string {
  const terms: string[] = [];
  if (bounds.lower !== undefined) terms.push(`key ${operator(bounds.lower, '>')} ?`);
  if (bounds.upper !== undefined) terms.push(`key ${operator(bounds.upper, '<')} ?`);
  return terms.length === 0 ? '' : ` WHERE ${terms.join(' AND ')}`;
}

function operator(bound: Bound, strict: '>' | '<'): string {
  return bound.inclusive ? `${strict}=` : strict;
}

function boundShape(bounds: KeyBounds): string {
  const side = (bound: Bound | undefined) => (bound === undefined ? '-' : bound.inclusive ? '=' : 'x');
  return side(bounds.lower) + side(bounds.upper);
}
