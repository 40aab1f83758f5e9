/**
 * Turns what better-sqlite3 throws into StowageError codes a user can act on. SQLite's
 * result codes come as strings (`SQLITE_BUSY`, `SQLITE_CORRUPT_INDEX`, ...), the extended
 * codes sharing the primary code as prefix, so a prefix decides.
 */
import { toStowageError as coreToStowageError, StowageError, type StowageErrorCode } from '@stowage/core';
import { origin } from './origin.js';

const byPrefix: readonly [string, StowageErrorCode, string][] = [
  ['SQLITE_BUSY', 'LOCKED', 'the database stayed locked by another connection past the busy timeout'],
  ['SQLITE_LOCKED', 'LOCKED', 'the table is locked by another statement or connection'],
  ['SQLITE_NOTADB', 'CORRUPTION', 'the file is not an SQLite database'],
  ['SQLITE_CORRUPT', 'CORRUPTION', 'the database file is damaged'],
  ['SQLITE_READONLY', 'READ_ONLY', 'the database is read-only'],
];

/** The StowageError for `error`, naming `file` (and `key` when one was concerned). */
export function toStowageError(error: unknown, file: string, key?: string): StowageError {
  if (StowageError.is(error)) return error;
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  const where = { origin, cause: error, file, ...(key === undefined ? {} : { key }) };
  if (code !== undefined) {
    for (const [prefix, stowageCode, meaning] of byPrefix) {
      if (code.startsWith(prefix)) {
        return new StowageError(stowageCode, `${meaning}: ${file} (${code}: ${detail})`, where);
      }
    }
  }
  if (code === undefined) {
    // A file system error (creating the store's directories, copying it): core's one rule
    // decides the code, so EROFS, EACCES and EPERM are READ_ONLY, the rest IO.
    const { code: fileCode } = coreToStowageError(error, origin, file);
    return new StowageError(fileCode, `cannot open or use ${file}: ${detail}`, where);
  }
  return new StowageError('IO', `SQLite failed on ${file}: ${code}: ${detail}`, where);
}

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** READ_ONLY about `file`: the store or its location cannot be written. */
export function readOnlyError(message: string, file: string): StowageError {
  return new StowageError('READ_ONLY', message, { origin, file });
}
