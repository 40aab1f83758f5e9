/**
 * Everything an open store holds, as one object that exists exactly while the store is open
 * (instead of one nullable field per resource): the connection, its prepared statements and
 * transactions, the group-commit queue, the snapshot connections of transactions, and the
 * private copy of a store read from a read-only location. `openStore` builds it in the
 * order SQLite needs and undoes what it did when a step fails; `closeStore` releases it.
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { type BatchOperation, StowageError } from '@stowage/core';
import { type BatchControl, GroupCommitQueue } from '@stowage/fs';
import { openDatabase, type SqliteDatabase, type SqliteTransaction } from './driver.js';
import { origin, readOnlyError, sqliteError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { isWritable, openReadOnly } from './read-only-open.js';
import { assertNamesFree, assertSchema, createSchema, tableExists } from './schema.js';
import { SnapshotReaders } from './snapshot-readers.js';
import { type StoredRow, sameRow } from './snapshot-transaction.js';
import { Statements } from './statements.js';

export interface OpenStore {
  readonly database: SqliteDatabase;
  readonly statements: Statements;
  /** Reads keys inside one read transaction: one snapshot. */
  readonly readMany: SqliteTransaction<[readonly string[]], unknown[]>;
  /** Writes operations in one transaction, all or nothing. */
  readonly writeMany: SqliteTransaction<[readonly BatchOperation[]], void>;
  /** A transaction's commit: checks each key still holds its snapshot row (else CONFLICT), then writes. */
  readonly commit: SqliteTransaction<[[string, StoredRow][], BatchOperation[]], void>;
  /**
   * Single writes, committed together at the end of the turn: one transaction (one WAL
   * append, one fsync with FULL) for every write called in it. Each result is the rows the
   * write changed. The commit is synchronous, so `runPending()` commits what is queued
   * before any other statement runs, and every operation sees the writes called before it.
   */
  readonly queue: GroupCommitQueue<BatchOperation, number>;
  readonly readers: SnapshotReaders;
  /** The private copy of a store opened read-only where SQLite could not open it in place. */
  readonly copyDirectory: string | undefined;
}

/** Opens the store `options` describe; `file` is the name used in errors. Throws StowageErrors. */
export function openStore(options: ResolvedOptions, file: string, memory: boolean): OpenStore {
  const { source, table, busyTimeout, durability } = options;
  const owned = 'file' in source;
  let database: SqliteDatabase | undefined;
  let copyDirectory: string | undefined;
  let path = file;
  try {
    if (!owned) {
      database = source.database;
      database.pragma(`busy_timeout = ${busyTimeout}`);
    } else if (source.readonly) {
      ({ database, path, copyDirectory } = openReadOnly(source.file, busyTimeout));
    } else {
      database = openWritable(source.file, busyTimeout);
    }
    if (database.readonly) {
      if (!tableExists(database, table)) {
        throw new StowageError('READ_ONLY', `${file} has no table ${table} and is opened read-only`, {
          origin,
          file,
        });
      }
      assertNamesFree(database, table, file);
      assertSchema(database, table, file);
    } else {
      if (!memory) database.pragma('journal_mode = WAL');
      database.pragma(`synchronous = ${durability === 'none' ? 'NORMAL' : 'FULL'}`);
      createSchema(database, table, file);
    }
    const statements = new Statements(database, table);
    const writeOne = (operation: BatchOperation): number =>
      operation.type === 'set'
        ? statements.set.run(operation.key, operation.value, operation.expiresAt ?? null).changes
        : statements.delete.run(operation.key).changes;
    const write = (operations: readonly BatchOperation[]): void => {
      for (const operation of operations) writeOne(operation);
    };
    const writeAll = database.transaction((operations: readonly BatchOperation[]) => operations.map(writeOne));
    return {
      database,
      statements,
      readMany: database.transaction((keys: readonly string[]) => keys.map((key) => statements.get.get(key))),
      writeMany: database.transaction(write),
      commit: database.transaction((expected: [string, StoredRow][], operations: BatchOperation[]) => {
        for (const [key, before] of expected) {
          if (!sameRow(before, statements.row.get(key) as StoredRow)) {
            throw new StowageError('CONFLICT', `key ${JSON.stringify(key)} changed during the transaction`, {
              origin,
              file,
              key,
            });
          }
        }
        write(operations);
      }),
      queue: new GroupCommitQueue<BatchOperation, number>({
        commit: (operations, batch) => commitWrites(operations, batch, writeOne, writeAll),
      }),
      readers: new SnapshotReaders(path, table, busyTimeout),
      copyDirectory,
    };
  } catch (error) {
    if (owned && database?.open) database.close();
    if (copyDirectory !== undefined) rmSync(copyDirectory, { recursive: true, force: true });
    throw openError(error, options, file, memory);
  }
}

/**
 * Commits what is queued and releases everything: a passive checkpoint (which fsyncs the
 * WAL, so with NORMAL the last commits become power-cut durable even while other
 * connections keep the file open; it never waits on them), the connection when it is ours
 * to close, the snapshot connections, the private copy.
 */
export function closeStore(store: OpenStore, options: ResolvedOptions, file: string, memory: boolean): void {
  const { database, copyDirectory } = store;
  try {
    store.queue.runPending();
    store.readers.closeAll();
    if (!database.open) return;
    try {
      if (!memory && !database.readonly) database.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      if (options.closeDatabase) database.close();
    }
  } catch (error) {
    throw sqliteError(error, file);
  } finally {
    if (copyDirectory !== undefined) rmSync(copyDirectory, { recursive: true, force: true });
  }
}

/**
 * Opens (or creates) `file` for writing. SQLite opens an existing file it may not write
 * read-only without a word; that is refused here, saying what to do.
 */
function openWritable(file: string, timeout: number): SqliteDatabase {
  const database = openDatabase(file, { timeout });
  if (database.readonly) {
    database.close();
    throw readOnlyError(`${file} cannot be written here; open it with readonly: true to read it`, file);
  }
  return database;
}

/**
 * Where the location refuses writes (a read-only mount, a directory this process may not
 * write), SQLite says only SQLITE_CANTOPEN, for a new file as for the `-wal` of an existing
 * one: that is READ_ONLY, not IO.
 */
function openError(error: unknown, options: ResolvedOptions, file: string, memory: boolean): StowageError {
  const { source } = options;
  const code = (error as { code?: unknown } | null)?.code;
  if (
    'file' in source &&
    !source.readonly &&
    !memory &&
    typeof code === 'string' &&
    code.startsWith('SQLITE_CANTOPEN') &&
    !isWritable(dirname(source.file))
  ) {
    const message = existsSync(source.file)
      ? `${source.file} cannot be written: its directory is read-only; open it with readonly: true to read it`
      : `cannot create ${source.file}: its directory is read-only`;
    return readOnlyError(message, source.file);
  }
  return sqliteError(error, file);
}

/**
 * Commits one group of single writes: a lone write by itself, several in one IMMEDIATE
 * transaction, all or nothing. When SQLite refuses the group, it is rolled back as a whole
 * and retried write by write, so that only the write at fault fails; not after a lock
 * timeout, which every write would wait out again: then the whole group fails.
 */
function commitWrites(
  operations: readonly BatchOperation[],
  batch: BatchControl,
  writeOne: (operation: BatchOperation) => number,
  writeAll: SqliteTransaction<[readonly BatchOperation[]], number[]>,
): number[] {
  if (operations.length === 1) return [writeOne(operations[0]!)];
  try {
    return writeAll.immediate(operations);
  } catch (error) {
    if (isLockTimeout(error)) throw error;
  }
  return operations.map((operation, index) => {
    try {
      return writeOne(operation);
    } catch (error) {
      batch.fail(index, error);
      return 0;
    }
  });
}

function isLockTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
