/**
 * The engine's origin and its error constructors. What better-sqlite3 or the file system
 * throws becomes a StowageError through core's one rule (`toStowageError`), which decides the
 * code from SQLite's result code or the errno (`SQLITE_BUSY*` LOCKED, `SQLITE_CORRUPT*` and
 * `SQLITE_NOTADB` CORRUPTION, `SQLITE_READONLY*`, `EROFS`, `EACCES`, `EPERM` READ_ONLY, the
 * rest IO); this file adds what the code means for a user, the file and the key.
 */
import { StowageError, toStowageError } from '@stowage/core';

/** The package name every StowageError from this engine carries. */
export const origin = '@stowage/sqlite';

/** What a SQLite result code means, by prefix (extended codes share the primary code's prefix). */
const meanings: readonly [string, string][] = [
  ['SQLITE_BUSY', 'the database stayed locked by another connection past the busy timeout'],
  ['SQLITE_LOCKED', 'the table is locked by another statement or connection'],
  ['SQLITE_NOTADB', 'the file is not an SQLite database'],
  ['SQLITE_CORRUPT', 'the database file is damaged'],
  ['SQLITE_READONLY', 'the database is read-only'],
];

/** The StowageError for what the driver or the file system threw, naming `file` (and `key` when one was concerned). */
export function sqliteError(error: unknown, file: string, key?: string): StowageError {
  if (StowageError.is(error)) return error;
  const { code } = toStowageError(error, origin, file);
  const detail = error instanceof Error ? error.message : String(error);
  const where = { origin, cause: error, file, ...(key === undefined ? {} : { key }) };
  const sqliteCode = resultCode(error);
  if (sqliteCode === undefined) return new StowageError(code, `cannot open or use ${file}: ${detail}`, where);
  const meaning = meanings.find(([prefix]) => sqliteCode.startsWith(prefix))?.[1];
  return new StowageError(
    code,
    meaning === undefined
      ? `SQLite failed on ${file}: ${sqliteCode}: ${detail}`
      : `${meaning}: ${file} (${sqliteCode}: ${detail})`,
    where,
  );
}

/** READ_ONLY about `file`: the store or its location cannot be written. */
export function readOnlyError(message: string, file: string): StowageError {
  return new StowageError('READ_ONLY', message, { origin, file });
}

/** INVALID_CONFIG: options refused before any file is touched. */
export function configError(message: string): StowageError {
  return new StowageError('INVALID_CONFIG', message, { origin });
}

function resultCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}
