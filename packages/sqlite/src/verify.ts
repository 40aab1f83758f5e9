/**
 * `verify()`: SQLite's own consistency check over the whole file, plus a check that every
 * row of the store's table holds what the engine writes, reported without changing
 * anything. SQLite pages carry no checksums, so what this finds is structural damage
 * (b-tree pages that do not parse, cells out of order, pages lost or used twice, index
 * entries missing); a flipped byte inside a value or key is not found by anything, and is
 * returned as it is.
 */
import { StowageError } from '@stowage/core';
import type { SqliteDatabase } from './driver.js';
import { origin } from './errors.js';
import { quoteIdentifier } from './schema.js';

export interface VerifyOptions {
  /**
   * Run `PRAGMA quick_check` instead of `integrity_check`: the same walk of every page, but
   * without checking that index entries match their table rows. Faster on large files.
   */
  readonly quick?: boolean;
}

export interface VerifyProblem {
  readonly file: string;
  /** The page SQLite named, when it named one (pages count from 1). */
  readonly page: number | undefined;
  /** Where that page starts in the database file, in bytes. */
  readonly offset: number | undefined;
  readonly reason: string;
}

export interface VerifyReport {
  /** True when nothing is wrong. */
  readonly ok: boolean;
  /** The check SQLite ran. */
  readonly check: 'integrity_check' | 'quick_check';
  /** Pages in the database (as read through the WAL). */
  readonly pages: number;
  readonly pageSize: number;
  /** At most 100 from SQLite, then at most 100 rows of a wrong type. */
  readonly problems: readonly VerifyProblem[];
}

/** Checks `database`, whose entries live in `table`; `file` is named in every problem. */
export function verifyDatabase(
  database: SqliteDatabase,
  table: string,
  file: string,
  options: VerifyOptions,
): VerifyReport {
  const check = options.quick === true ? 'quick_check' : 'integrity_check';
  const pageSize = database.pragma('page_size', { simple: true }) as number;
  let pages = 0;
  const problems: VerifyProblem[] = [];
  const problem = (reason: string): void => {
    const page = /\bpage (\d+)/i.exec(reason)?.[1];
    const number = page === undefined ? undefined : Number(page);
    problems.push({
      file,
      page: number,
      offset: number === undefined ? undefined : (number - 1) * pageSize,
      reason,
    });
  };
  try {
    pages = database.pragma('page_count', { simple: true }) as number;
    // Stepped row by row: on a damaged table SQLite returns its findings about the pages in
    // the first rows, then fails the statement with SQLITE_CORRUPT while scanning the
    // table's rows; a single all() would lose the findings.
    for (const row of database.prepare(`PRAGMA ${check}`).pluck().iterate()) {
      for (const line of String(row).split('\n')) {
        if (line !== 'ok' && !line.startsWith('*** in database')) problem(line);
      }
    }
  } catch (error) {
    if (!isDamage(error)) throw error;
    problem(`${check} stopped: ${(error as Error).message} (${(error as { code: string }).code})`);
  }
  if (problems.length === 0) {
    try {
      for (const row of wrongRows(database, table)) problem(row);
    } catch (error) {
      if (!isDamage(error)) throw error;
      problem(`reading the rows of table ${table} failed: ${(error as Error).message}`);
    }
  }
  return { ok: problems.length === 0, check, pages, pageSize, problems };
}

/** Refuses options that are not `undefined` or `{ quick?: boolean }`. */
export function checkVerifyOptions(options: unknown): VerifyOptions {
  if (options === undefined) return {};
  const quick = (options as { quick?: unknown } | null)?.quick;
  if (
    typeof options !== 'object' ||
    options === null ||
    Object.keys(options).some((name) => name !== 'quick') ||
    (quick !== undefined && typeof quick !== 'boolean')
  ) {
    throw new StowageError('INVALID_ARGUMENT', 'verify takes { quick?: boolean } or nothing', { origin });
  }
  return options as VerifyOptions;
}

/** Rows whose key is not TEXT, whose value is not TEXT or BLOB, or whose expiry is not a number. */
function* wrongRows(database: SqliteDatabase, table: string): Generator<string> {
  const rows = database
    .prepare(
      `SELECT quote(key), typeof(key), typeof(value), typeof(expires_at) FROM ${quoteIdentifier(table)}
       WHERE typeof(key) != 'text' OR typeof(value) NOT IN ('text', 'blob')
          OR typeof(expires_at) NOT IN ('integer', 'real', 'null')
       LIMIT 100`,
    )
    .raw()
    .all() as [string, string, string, string][];
  for (const [key, keyType, valueType, expiryType] of rows) {
    yield `table ${table}, key ${key}: key is ${keyType}, value is ${valueType}, expires_at is ${expiryType}`;
  }
}

function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}
