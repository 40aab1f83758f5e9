/**
 * Opening a store read-only, also where SQLite cannot open it in place. A WAL database is
 * read through its `-wal` and `-shm` files, which SQLite creates beside the database when
 * they are missing; on a read-only mount (or a directory the process may not write) it
 * cannot, and the open fails (SQLITE_CANTOPEN, SQLITE_READONLY_DIRECTORY), even with
 * readonly. SQLite's own way out, the `immutable=1` URI parameter, is unavailable (the
 * better-sqlite3 build disables URI file names unless an environment variable is set before
 * it loads) and would ignore a leftover `-wal`, silently dropping the commits in it.
 *
 * So when the location refuses, the database file and its `-wal` (if any) are copied into a
 * private directory under the system temp directory and opened read-only there: SQLite
 * replays the copied WAL itself, so nothing committed is missed. The copy is a snapshot as
 * of the open (the location cannot be written through SQLite by anyone who cannot create
 * the `-wal` either), costs the file's size in temp space, and is removed at close.
 */
import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { openDatabase, type SqliteDatabase } from './driver.js';
import { readOnlyError } from './errors.js';

export interface ReadOnlyOpen {
  readonly database: SqliteDatabase;
  /** The file actually opened: `file`, or its private copy. */
  readonly path: string;
  /** The private directory holding the copy, to remove at close; undefined when opened in place. */
  readonly copyDirectory: string | undefined;
}

/** Prefix of the private directories (in the system temp directory) of read-only copies. */
export const copyDirectoryPrefix = 'stowage-sqlite-readonly-';

/** Opens `file` read-only, in place when SQLite can, else through a private copy. Creates nothing beside `file`'s missing parts. */
export function openReadOnly(file: string, timeout: number): ReadOnlyOpen {
  if (!existsSync(file)) {
    throw readOnlyError(`${file} does not exist and the store is opened read-only, so it is not created`, file);
  }
  try {
    return { database: openProbed(file, timeout), path: file, copyDirectory: undefined };
  } catch (error) {
    if (!refusedByLocation(error) || isWritable(dirname(file))) throw error;
  }
  return openPrivateCopy(file, timeout);
}

/** True when `directory` may be written by this process (false on a read-only mount: EROFS). */
export function isWritable(directory: string): boolean {
  try {
    accessSync(directory, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function openPrivateCopy(file: string, timeout: number): ReadOnlyOpen {
  const directory = mkdtempSync(join(tmpdir(), copyDirectoryPrefix));
  try {
    const copy = join(directory, basename(file));
    copyFileSync(file, copy);
    // The -shm is not copied: it is only an index of the WAL, rebuilt from the copy.
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    return { database: openProbed(copy, timeout), path: copy, copyDirectory: directory };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/** Opens read-only and reads the schema, which is when SQLite opens the WAL and fails if it cannot. */
function openProbed(path: string, timeout: number): SqliteDatabase {
  const database = openDatabase(path, { readonly: true, fileMustExist: true, timeout });
  try {
    database.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/** The failures of a WAL database whose directory refuses the `-wal`/`-shm` files. */
function refusedByLocation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY'));
}
