/**
 * A Stowage engine on one SQLite table through better-sqlite3. better-sqlite3 is
 * synchronous, so every hook is one or a few prepared-statement calls, except single
 * writes, which are queued for a group commit at the end of the turn (write-queue.ts).
 * AbstractBackend supplies the lifecycle and argument checks around the hooks.
 */

import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AbstractBackend,
  type BackendTransaction,
  type BatchOperation,
  type EncodedValue,
  type RangeOptions,
  StowageError,
  type WriteOptions,
} from '@stowage/core';
import Database from 'better-sqlite3';
import { makeParentDirectories } from './directories.js';
import { keyBounds } from './key-range.js';
import { type ResolvedOptions, resolveOptions, type SqliteBackendOptions } from './options.js';
import { origin } from './origin.js';
import { isWritable, openReadOnly } from './read-only-open.js';
import { readKey, readValue } from './row-values.js';
import { assertNamesFree, assertSchema, createSchema, tableExists } from './schema.js';
import { SnapshotReaders } from './snapshot-readers.js';
import { SnapshotTransaction, type StoredRow, sameRow } from './snapshot-transaction.js';
import { readOnlyError, toStowageError } from './sqlite-errors.js';
import { boundParameters, Statements } from './statements.js';
import { checkVerifyOptions, type VerifyOptions, type VerifyReport, verifyDatabase } from './verify.js';
import { WriteQueue } from './write-queue.js';

/** The largest encoded value accepted: far below SQLite's 1 GB SQLITE_MAX_LENGTH. */
const maxValueBytes = 256 * 1024 * 1024;

export class SqliteBackend extends AbstractBackend {
  readonly name = 'sqlite';
  /** The database file (`:memory:` for an in-memory store), named in every error. */
  readonly file: string;

  readonly #options: ResolvedOptions;
  readonly #memory: boolean;
  #database: Database.Database | undefined;
  #statements: Statements | undefined;
  #readMany: ((keys: readonly string[]) => unknown[]) | undefined;
  #writeMany: Database.Transaction<(operations: readonly BatchOperation[]) => void> | undefined;
  #commit: Database.Transaction<(expected: [string, StoredRow][], operations: BatchOperation[]) => void> | undefined;
  #queue: WriteQueue | undefined;
  #readers: SnapshotReaders | undefined;
  /** The private copy of a store opened read-only where SQLite could not open it in place. */
  #copyDirectory: string | undefined;

  constructor(options: SqliteBackendOptions) {
    const resolved = resolveOptions(options);
    const source = resolved.source;
    const memory = 'file' in source ? source.file === ':memory:' : source.database.memory;
    super(origin, {
      persistent: !memory,
      orderedIteration: true,
      atomicBatch: true,
      nativeTtl: true,
      // Snapshots come from a second connection to the file, which :memory: cannot have.
      transactions: !memory,
      multiProcess: !memory,
      // The configured level: WAL + NORMAL ('none'): a commit survives a process crash, a
      // power cut may roll back the latest ones. WAL + FULL ('batch', 'always'): the WAL is
      // fsynced before a commit returns.
      durability: memory ? [] : [resolved.durability],
      maxKeyBytes: 64 * 1024,
      maxValueBytes,
    });
    this.#options = resolved;
    this.#memory = memory;
    this.file = 'file' in source ? source.file : source.database.name;
  }

  // ---- lifecycle ----

  protected async _open(): Promise<void> {
    const { source, table, busyTimeout, durability } = this.#options;
    const owned = 'file' in source;
    let database: Database.Database | undefined;
    let copyDirectory: string | undefined;
    let path = this.file;
    try {
      if (!owned) {
        database = source.database;
        database.pragma(`busy_timeout = ${busyTimeout}`);
      } else if (source.readonly) {
        ({ database, path, copyDirectory } = openReadOnly(source.file, busyTimeout));
      } else {
        if (!this.#memory) makeParentDirectories(source.file);
        database = this.#openWritable(source.file, busyTimeout);
      }
      if (database.readonly) {
        if (!tableExists(database, table)) {
          throw new StowageError('READ_ONLY', `${this.file} has no table ${table} and is opened read-only`, {
            origin,
            file: this.file,
          });
        }
        assertNamesFree(database, table, this.file);
        assertSchema(database, table, this.file);
      } else {
        if (!this.#memory) database.pragma('journal_mode = WAL');
        database.pragma(`synchronous = ${durability === 'none' ? 'NORMAL' : 'FULL'}`);
        createSchema(database, table, this.file);
      }
      const statements = new Statements(database, table);
      this.#readMany = database.transaction((keys: readonly string[]) => keys.map((key) => statements.get.get(key)));
      const writeOne = (operation: BatchOperation): number =>
        operation.type === 'set'
          ? statements.set.run(operation.key, operation.value, operation.expiresAt ?? null).changes
          : statements.delete.run(operation.key).changes;
      const write = (operations: readonly BatchOperation[]) => {
        for (const operation of operations) writeOne(operation);
      };
      this.#writeMany = database.transaction(write);
      const writeAll = database.transaction((operations: BatchOperation[]) => operations.map(writeOne));
      this.#queue = new WriteQueue(writeOne, (operations) => writeAll.immediate(operations), isNotLockTimeout);
      this.#commit = database.transaction((expected: [string, StoredRow][], operations: BatchOperation[]) => {
        for (const [key, before] of expected) {
          if (!sameRow(before, statements.row.get(key) as StoredRow)) {
            throw new StowageError('CONFLICT', `key ${JSON.stringify(key)} changed during the transaction`, {
              origin,
              file: this.file,
              key,
            });
          }
        }
        write(operations);
      });
      this.#readers = new SnapshotReaders(path, table, busyTimeout);
      this.#statements = statements;
      this.#database = database;
      this.#copyDirectory = copyDirectory;
    } catch (error) {
      if (owned && database?.open) database.close();
      if (copyDirectory !== undefined) rmSync(copyDirectory, { recursive: true, force: true });
      throw this.#openError(error);
    }
  }

  /**
   * Opens (or creates) `file` for writing. SQLite opens an existing file it may not write
   * read-only without a word; that is refused here, saying what to do.
   */
  #openWritable(file: string, timeout: number): Database.Database {
    const database = new Database(file, { timeout });
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
  #openError(error: unknown): StowageError {
    const { source } = this.#options;
    const code = (error as { code?: unknown } | null)?.code;
    if (
      'file' in source &&
      !source.readonly &&
      !this.#memory &&
      typeof code === 'string' &&
      code.startsWith('SQLITE_CANTOPEN') &&
      !isWritable(dirname(source.file))
    ) {
      const message = existsSync(source.file)
        ? `${source.file} cannot be written: its directory is read-only; open it with readonly: true to read it`
        : `cannot create ${source.file}: its directory is read-only`;
      return readOnlyError(message, source.file);
    }
    return this.#fail(error);
  }

  protected async _close(): Promise<void> {
    this.#queue?.drain();
    const database = this.#database;
    this.#database = undefined;
    this.#statements = undefined;
    this.#readMany = undefined;
    this.#writeMany = undefined;
    this.#commit = undefined;
    this.#queue = undefined;
    this.#readers?.closeAll();
    this.#readers = undefined;
    const copyDirectory = this.#copyDirectory;
    this.#copyDirectory = undefined;
    try {
      if (database === undefined || !database.open) return;
      try {
        // A passive checkpoint fsyncs the WAL before copying it, so with NORMAL the last
        // commits become power-cut durable even when other connections keep the file open
        // (the last connection to close checkpoints fully anyway). It never waits on them.
        if (!this.#memory && !database.readonly) database.pragma('wal_checkpoint(PASSIVE)');
      } catch (error) {
        if (this.#options.closeDatabase) database.close();
        throw this.#fail(error);
      }
      if (this.#options.closeDatabase) database.close();
    } finally {
      if (copyDirectory !== undefined) rmSync(copyDirectory, { recursive: true, force: true });
    }
  }

  // ---- point operations ----

  protected _get(key: string): EncodedValue | undefined {
    let stored: unknown;
    try {
      this.#queue!.drain();
      stored = this.#statements!.get.get(key);
    } catch (error) {
      throw this.#fail(error, key);
    }
    return stored === undefined ? undefined : readValue(stored, key, this.file);
  }

  /** Queued, and committed with the other writes of this turn of the event loop (see WriteQueue). */
  protected async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    const { expiresAt } = options;
    try {
      await this.#queue!.write(
        expiresAt === undefined ? { type: 'set', key, value } : { type: 'set', key, value, expiresAt },
      );
    } catch (error) {
      throw this.#fail(error, key);
    }
  }

  protected async _delete(key: string): Promise<boolean> {
    try {
      return (await this.#queue!.write({ type: 'delete', key })) > 0;
    } catch (error) {
      throw this.#fail(error, key);
    }
  }

  protected override _has(key: string): boolean {
    try {
      this.#queue!.drain();
      return this.#statements!.has.get(key) !== undefined;
    } catch (error) {
      throw this.#fail(error, key);
    }
  }

  // ---- many-key operations: one transaction each ----

  /** Reads every key inside one read transaction, so the answers come from one snapshot. */
  protected override _getMany(keys: readonly string[]): (EncodedValue | undefined)[] {
    let stored: unknown[];
    try {
      this.#queue!.drain();
      stored = this.#readMany!(keys);
    } catch (error) {
      throw this.#fail(error);
    }
    return stored.map((value, index) => (value === undefined ? undefined : readValue(value, keys[index]!, this.file)));
  }

  /** All operations in one IMMEDIATE transaction: the write lock is taken (or waited for) up front. */
  protected override async _apply(operations: readonly BatchOperation[]): Promise<void> {
    try {
      this.#queue!.drain();
      this.#writeMany!.immediate(operations);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  protected override async _size(): Promise<number> {
    try {
      this.#queue!.drain();
      return this.#statements!.count.get() as number;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** One DELETE over the key range (its first `limit` keys when a limit is given). */
  protected override async _clear(range: RangeOptions): Promise<void> {
    const bounds = keyBounds(range);
    const limited = range.limit !== undefined;
    const parameters: unknown[] = boundParameters(bounds);
    if (limited) parameters.push(range.limit);
    try {
      this.#queue!.drain();
      this.#statements!.clear(bounds, range.reverse === true, limited).run(...parameters);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** A real checkpoint: the WAL is fsynced, copied into the database file, and truncated. */
  protected override async _flush(): Promise<void> {
    try {
      this.#queue!.drain();
      if (this.#memory || this.#database!.readonly) return;
      this.#database!.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Deletes every entry whose expiry is at or before `now`: one DELETE on the expiry index. */
  sweepExpired(now: number): Promise<number> {
    return this.run(async () => {
      if (typeof now !== 'number' || !Number.isFinite(now)) {
        throw new StowageError('INVALID_ARGUMENT', 'sweepExpired takes a finite number of ms since the epoch', {
          origin,
        });
      }
      try {
        this.#queue!.drain();
        return this.#statements!.sweep.run(now).changes;
      } catch (error) {
        throw this.#fail(error);
      }
    });
  }

  /**
   * Runs SQLite's `PRAGMA integrity_check` (or `quick_check` with `{ quick: true }`) over the
   * whole file and checks the type of every row of the table; reports what is wrong without
   * changing anything. Damage SQLite meets while checking is reported, not thrown. SQLite
   * pages carry no checksums: a flipped byte inside a key or value is not found (see README).
   * Blocks the event loop for the whole check, which reads every page.
   */
  verify(options?: VerifyOptions): Promise<VerifyReport> {
    return this.run(async () => {
      const checked = checkVerifyOptions(options);
      try {
        this.#queue!.drain();
        return verifyDatabase(this.#database!, this.#options.table, this.file, checked);
      } catch (error) {
        throw this.#fail(error);
      }
    });
  }

  // ---- transactions ----

  /**
   * Runs `body` as one optimistic transaction: it reads a snapshot taken when it starts and
   * sees its own writes; plain writes go on meanwhile. When the body resolves, its writes
   * are committed at once unless a key it read or wrote changed since the snapshot
   * (CONFLICT, nothing written). When the body throws, nothing is written.
   */
  transaction<T>(body: (tx: BackendTransaction) => Promise<T>): Promise<T> {
    return this.run(async () => {
      if (!this.supports.transactions) {
        throw new StowageError('NOT_SUPPORTED', 'transactions need a database file (not :memory:)', { origin });
      }
      if (typeof body !== 'function') {
        throw new StowageError('INVALID_ARGUMENT', 'transaction takes a function', { origin });
      }
      const readers = this.#readers!;
      let reader: ReturnType<SnapshotReaders['acquire']>;
      try {
        this.#queue!.drain(); // the snapshot includes every write called before the transaction
        reader = readers.acquire();
      } catch (error) {
        throw this.#fail(error);
      }
      let tx: SnapshotTransaction;
      try {
        tx = new SnapshotTransaction(reader, {
          file: this.file,
          checkKey: (key) => this.checkKey(key),
          checkValue: (value, key) => this.checkValue(value, key),
        });
      } catch (error) {
        readers.release(reader);
        throw this.#fail(error);
      }
      try {
        const result = await body(tx);
        tx.finish();
        const expected = tx.expectations();
        this.#queue!.drain();
        this.#commit!.immediate(expected, tx.operations());
        return result;
      } catch (error) {
        throw StowageError.is(error) || !isSqliteError(error) ? error : this.#fail(error);
      } finally {
        tx.finish();
        readers.release(reader);
      }
    });
  }

  // ---- iteration ----

  protected async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    for (const rows of this.#pages(range, false)) {
      for (const row of rows as unknown[][]) {
        const key = readKey(row[0], this.file);
        yield [key, readValue(row[1], key, this.file)];
      }
    }
  }

  protected override async *_keys(range: RangeOptions): AsyncIterable<string> {
    for (const rows of this.#pages(range, true)) {
      for (const key of rows) yield readKey(key, this.file);
    }
  }

  /**
   * The rows of `range` in pages of `iterationChunkSize`, each page one short query
   * resuming after the last key of the previous page. better-sqlite3 forbids any other
   * statement on a connection while a `.iterate()` cursor is open, and a caller may write
   * between two steps of its `for await`, so no cursor is held across a yield. The cost:
   * the iteration is not one snapshot; each page sees the commits made before it ran.
   * Keys still come in strict order, each at most once.
   */
  *#pages(range: RangeOptions, keysOnly: boolean): Generator<unknown[]> {
    const bounds = keyBounds(range);
    const reverse = range.reverse === true;
    let remaining = range.limit ?? Number.POSITIVE_INFINITY;
    let page = bounds;
    while (remaining > 0) {
      const size = Math.min(this.#options.iterationChunkSize, remaining);
      let rows: unknown[];
      try {
        this.#queue!.drain();
        rows = this.#statements!.page(page, reverse, keysOnly).all(...boundParameters(page), size);
      } catch (error) {
        throw this.#fail(error);
      }
      if (rows.length > 0) yield rows;
      if (rows.length < size) return;
      remaining -= rows.length;
      const last = rows[rows.length - 1];
      const cursor = { key: readKey(keysOnly ? last : (last as unknown[])[0], this.file), inclusive: false };
      page = reverse ? { lower: bounds.lower, upper: cursor } : { lower: cursor, upper: bounds.upper };
    }
  }

  #fail(error: unknown, key?: string): StowageError {
    return toStowageError(error, this.file, key);
  }
}

function isSqliteError(error: unknown): boolean {
  return error instanceof Database.SqliteError;
}

/** A group of writes that timed out on the lock is not retried write by write: each would wait again. */
function isNotLockTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')));
}
