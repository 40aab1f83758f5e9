/**
 * The one rule that turns a foreign error (a Node `fs` error, a driver's error, anything a
 * dependency throws) into a StowageError, so every failure a user sees carries a code.
 * Used by AbstractBackend on every path and by engines wherever they catch.
 */
import { StowageError, type StowageErrorCode } from './errors.js';

/**
 * `error` unchanged when it is a StowageError (from any installed copy of core); otherwise a
 * new StowageError whose code follows the foreign error's `code` (see `codeOf`), whose
 * message is `${context}: ${original message}`, with the original as `cause` and, for a
 * Node fs error, its `path` as `file`.
 */
export function toStowageError(error: unknown, origin: string, context: string): StowageError {
  if (StowageError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const path = (error as { path?: unknown } | null)?.path;
  return new StowageError(codeOf(error), `${context}: ${message}`, {
    origin,
    cause: error,
    ...(typeof path === 'string' ? { file: path } : {}),
  });
}

/**
 * The StowageError code for a foreign error, from its string `code` (errno names from Node,
 * result codes from SQLite). A file system that refuses writes is READ_ONLY; a database
 * another connection holds is LOCKED; a file the driver finds damaged is CORRUPTION;
 * everything else (EIO, ENOSPC, ENOENT, EMFILE, errors without a code) is IO.
 */
export function codeOf(error: unknown): StowageErrorCode {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'IO';
  if (readOnlyCodes.has(code) || isSqlite(code, 'SQLITE_READONLY')) return 'READ_ONLY';
  if (isSqlite(code, 'SQLITE_BUSY') || isSqlite(code, 'SQLITE_LOCKED')) return 'LOCKED';
  if (isSqlite(code, 'SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'CORRUPTION';
  return 'IO';
}

/** Errno codes of a write the file system refuses: a read-only mount, missing permission. */
const readOnlyCodes = new Set(['EROFS', 'EACCES', 'EPERM']);

/** SQLite's primary result code or one of its extended codes (`SQLITE_BUSY_SNAPSHOT`, ...). */
function isSqlite(code: string, primary: string): boolean {
  return code === primary || code.startsWith(`${primary}_`);
}
