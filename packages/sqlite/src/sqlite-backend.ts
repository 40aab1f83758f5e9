/**
 * A Stowage engine on one SQLite table through better-sqlite3. better-sqlite3 is
 * synchronous, so every hook is one or a few prepared-statement calls, except single
 * writes, which are queued for a group commit at the end of the turn (OpenStore's queue).
 * AbstractBackend supplies the lifecycle and argument checks around the hooks.
 */

import { dirname } from 'node:path';
import {
  AbstractBackend,
  type BackendTransaction,
  type BatchOperation,
  type EncodedValue,
  type ExpiringValue,
  type RangeOptions,
  type StowageError,
  type WriteOptions,
} from '@stowage/core';
import { type GroupCommitQueue, makeDirectoryDurable, nodeFileSystem } from '@stowage/fs';
import { origin, sqliteError } from './errors.js';
import { keyBounds } from './key-range.js';
import { closeStore, type OpenStore, openStore } from './open-store.js';
import { type ResolvedOptions, resolveOptions, type SqliteBackendOptions } from './options.js';
import { expiringValue, readKey, readValue } from './row-values.js';
import type { SnapshotReaders } from './snapshot-readers.js';
import { type SnapshotReader, SnapshotTransaction } from './snapshot-transaction.js';
import { boundParameters } from './statements.js';
import { checkVerifyOptions, type VerifyOptions, type VerifyReport, verifyDatabase } from './verify.js';

/** The largest encoded value accepted: far below SQLite's 1 GB SQLITE_MAX_LENGTH. */
const maxValueBytes = 256 * 1024 * 1024;

export class SqliteBackend extends AbstractBackend {
  readonly name = 'sqlite';
  /** The database file (`:memory:` for an in-memory store), named in every error. */
  readonly file: string;

  readonly #options: ResolvedOptions;
  readonly #memory: boolean;
  /** Everything the open store holds; undefined unless open. */
  #store: OpenStore | undefined;

  constructor(options: SqliteBackendOptions) {
    const resolved = resolveOptions(options);
    const source = resolved.source;
    const memory = 'file' in source ? source.file === ':memory:' : source.database.memory;
    super(origin, {
      persistent: !memory,
      orderedIteration: true,
      atomicBatch: true,
      nativeTtl: true,
      // The expires_at column holds the expiry, so core hands the engine bare values.
      storesExpiry: true,
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
    const { source } = this.#options;
    if ('file' in source && !source.readonly && !this.#memory) {
      // A new store's missing folders, as csv and log create theirs: durably (each new
      // folder's parent fsynced), or a power cut could lose the folder with the store in it.
      try {
        await makeDirectoryDurable(nodeFileSystem, dirname(source.file));
      } catch (error) {
        throw this.#fail(error);
      }
    }
    this.#store = openStore(this.#options, this.file, this.#memory);
  }

  protected async _close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    if (store !== undefined) closeStore(store, this.#options, this.file, this.#memory);
  }

  /**
   * The open store, after committing the writes queued before this call, so that every
   * operation sees the writes called before it (see OpenStore's queue).
   */
  #ready(): OpenStore {
    const store = this.#store;
    if (store === undefined) throw this.closedError();
    store.queue.runPending();
    return store;
  }

  // ---- point operations ----

  protected _get(key: string): EncodedValue | undefined {
    let stored: unknown;
    try {
      stored = this.#ready().statements.get.get(key);
    } catch (error) {
      throw this.#fail(error, key);
    }
    return stored === undefined ? undefined : readValue(stored, key, this.file);
  }

  protected override _getWithExpiry(key: string): ExpiringValue | undefined {
    let row: [unknown, unknown] | undefined;
    try {
      row = this.#ready().statements.row.get(key) as [unknown, unknown] | undefined;
    } catch (error) {
      throw this.#fail(error, key);
    }
    return row === undefined ? undefined : expiringValue(row[0], row[1], key, this.file);
  }

  /** Queued, and committed with the other writes of this turn of the event loop (see OpenStore's queue). */
  protected async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    const { expiresAt } = options;
    try {
      await this.#writes().enqueue(
        expiresAt === undefined ? { type: 'set', key, value } : { type: 'set', key, value, expiresAt },
      );
    } catch (error) {
      throw this.#fail(error, key);
    }
  }

  protected async _delete(key: string): Promise<boolean> {
    try {
      return (await this.#writes().enqueue({ type: 'delete', key })) > 0;
    } catch (error) {
      throw this.#fail(error, key);
    }
  }

  protected override _has(key: string): boolean {
    try {
      return this.#ready().statements.has.get(key) !== undefined;
    } catch (error) {
      throw this.#fail(error, key);
    }
  }

  // ---- many-key operations: one transaction each ----

  /** Reads every key inside one read transaction, so the answers come from one snapshot. */
  protected override _getMany(keys: readonly string[]): (EncodedValue | undefined)[] {
    let stored: unknown[];
    try {
      stored = this.#ready().readMany(keys);
    } catch (error) {
      throw this.#fail(error);
    }
    return stored.map((value, index) => (value === undefined ? undefined : readValue(value, keys[index]!, this.file)));
  }

  /** All operations in one IMMEDIATE transaction: the write lock is taken (or waited for) up front. */
  protected override async _apply(operations: readonly BatchOperation[]): Promise<void> {
    try {
      this.#ready().writeMany.immediate(operations);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  protected override async _size(): Promise<number> {
    try {
      return this.#ready().statements.count.get() as number;
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
      this.#ready()
        .statements.clear(bounds, range.reverse === true, limited)
        .run(...parameters);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** A real checkpoint: the WAL is fsynced, copied into the database file, and truncated. */
  protected override async _flush(): Promise<void> {
    try {
      const { database } = this.#ready();
      if (this.#memory || database.readonly) return;
      database.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Deletes every entry whose expiry is at or before `now`: one DELETE on the expiry index. */
  protected override async _sweepExpired(now: number): Promise<number> {
    try {
      return this.#ready().statements.sweep.run(now).changes;
    } catch (error) {
      throw this.#fail(error);
    }
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
        return verifyDatabase(this.#ready().database, this.#options.table, this.file, checked);
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
  protected override async _transaction<T>(body: (tx: BackendTransaction) => Promise<T>): Promise<T> {
    let readers: SnapshotReaders;
    let reader: SnapshotReader;
    try {
      // The snapshot includes every write called before the transaction (#ready commits them).
      readers = this.#ready().readers;
      reader = readers.acquire();
    } catch (error) {
      throw this.#fail(error);
    }
    try {
      let tx: SnapshotTransaction;
      try {
        tx = new SnapshotTransaction(reader, this.file, this.supports, (expected, operations) => {
          try {
            this.#ready().commit.immediate(expected, operations);
          } catch (error) {
            throw this.#fail(error);
          }
        });
      } catch (error) {
        throw this.#fail(error);
      }
      return await tx.execute(body);
    } finally {
      readers.release(reader);
    }
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

  protected override async *_entriesWithExpiry(range: RangeOptions): AsyncIterable<[string, ExpiringValue]> {
    for (const rows of this.#pages(range, false)) {
      for (const row of rows as unknown[][]) {
        const key = readKey(row[0], this.file);
        yield [key, expiringValue(row[1], row[2], key, this.file)];
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
        rows = this.#ready()
          .statements.page(page, reverse, keysOnly)
          .all(...boundParameters(page), size);
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

  /** The group-commit queue of the open store. */
  #writes(): GroupCommitQueue<BatchOperation, number> {
    const store = this.#store;
    if (store === undefined) throw this.closedError();
    return store.queue;
  }

  #fail(error: unknown, key?: string): StowageError {
    return sqliteError(error, this.file, key);
  }
}
