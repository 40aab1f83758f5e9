/**
 * LogBackend: a Bitcask-style log-structured hash table. Writes append checksummed
 * records to numbered data files through a group-commit pipeline; an in-memory key
 * directory maps each key to its newest value, so a get is one positional read; older
 * versions stay readable until a merge rewrites the immutable files.
 */
import { join } from 'node:path';
import {
  AbstractBackend,
  type BatchOperation,
  compareKeys,
  type EncodedValue,
  inRange,
  type RangeOptions,
  type VersionInfo,
  type WriteOptions,
} from '@stowage/core';
import { openLockedStore } from '@stowage/fs';
import { CommitPipeline } from './commit-pipeline.js';
import { LOCK_FILE } from './data-files.js';
import { conflictError, ORIGIN } from './errors.js';
import { writeFileList } from './file-list.js';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './limits.js';
import { LogTransaction } from './log-transaction.js';
import { type MergeOptions, mergeStore } from './merge.js';
import { checkMergeOptions, type LogBackendOptions, resolveOptions } from './options.js';
import type { RecordInput } from './record-format.js';
import { recoverStore } from './recovery.js';
import { type RepairReport, repairStore } from './repair.js';
import { type LogStats, storeStats } from './stats.js';
import { type MergeReport, type StoreSettings, StoreState } from './store-state.js';
import { type VerifyReport, verifyStore } from './verify.js';
import { findVersions } from './version-scan.js';

export class LogBackend extends AbstractBackend {
  readonly name = 'log';
  readonly #settings: StoreSettings;
  /** What an open store holds; undefined while closed. */
  #opened: { readonly state: StoreState; readonly pipeline: CommitPipeline } | undefined;
  #merging: Promise<MergeReport> | undefined;

  constructor(options: LogBackendOptions) {
    const settings = resolveOptions(options);
    super(ORIGIN, {
      persistent: true,
      orderedIteration: true,
      atomicBatch: true,
      transactions: true,
      versions: true,
      nativeTtl: false,
      exactMembership: true,
      multiProcess: false,
      // Only the configured level: what this store promises, not what the log could offer.
      durability: [settings.durability],
      maxKeyBytes: MAX_KEY_BYTES,
      maxValueBytes: MAX_VALUE_BYTES,
    });
    this.#settings = settings;
  }

  /** The store's directory. */
  get dir(): string {
    return this.#settings.dir;
  }

  /**
   * Rewrites damaged data files of a closed store, keeping every intact record before and
   * after the damage (and whole transactions only), and reports what was lost. Takes the
   * store's lock, so it refuses while the store is open anywhere.
   */
  static repair(options: LogBackendOptions): Promise<RepairReport> {
    return repairStore(resolveOptions(options));
  }

  // ---- lifecycle ----

  protected async _open(): Promise<void> {
    const { fs, dir } = this.#settings;
    const state = new StoreState(this.#settings);
    const lockPath = join(dir, LOCK_FILE);
    await openLockedStore(fs, dir, { origin: ORIGIN, lockPath }, async ({ lock, removedTempFiles }) => {
      state.lock = lock;
      try {
        await recoverStore(state, removedTempFiles);
      } catch (error) {
        state.closeAll();
        throw error;
      }
    });
    this.#opened = { state, pipeline: new CommitPipeline(state) };
  }

  protected async _close(): Promise<void> {
    const opened = this.#opened;
    if (opened === undefined) return;
    const { state, pipeline } = opened;
    try {
      await pipeline.drain();
      if (pipeline.failure === undefined) {
        await state.active.handle.sync();
        // Records the final sizes of files closed since the list was last written.
        await writeFileList(state);
      }
    } finally {
      state.closeAll();
      // Stryker disable next-line OptionalChaining: an open store always holds its lock
      await state.lock?.release();
      this.#opened = undefined;
    }
  }

  // ---- reads ----

  // Reads answer synchronously: a keydir lookup and one positional read of the page cache.
  protected _get(key: string): EncodedValue | undefined {
    return this.#open().get(key);
  }

  protected override _has(key: string): boolean {
    return this.#open().keydir.has(key);
  }

  protected override _getMany(keys: readonly string[]): (EncodedValue | undefined)[] {
    const state = this.#open();
    return keys.map((key) => state.get(key));
  }

  protected override _size(): Promise<number> {
    return Promise.resolve(this.#open().keydir.size);
  }

  // Ordered like every ordered engine: the matching keys are listed from the key
  // directory when iteration starts and sorted with core's compareKeys (reversed on
  // request), so `limit` and `reverse` give the answer memory and sqlite give.
  protected override async *_keys(range: RangeOptions): AsyncIterable<string> {
    for (const key of this.#sortedKeysIn(range)) {
      if (this.#open().keydir.has(key)) yield key;
    }
  }

  protected async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    // Keys are listed when iteration starts; each value is read when its turn comes, so a
    // key deleted meanwhile is skipped and a key changed meanwhile shows its newer value.
    for (const key of this.#sortedKeysIn(range)) {
      const value = this.#open().get(key);
      if (value !== undefined) yield [key, value];
    }
  }

  // ---- writes ----

  protected _set(key: string, value: EncodedValue, _options: WriteOptions): Promise<void> {
    return this.#writer().submitSet(key, value);
  }

  protected async _delete(key: string): Promise<boolean> {
    const writer = this.#writer();
    // Stryker disable next-line BooleanLiteral: the prepare function sets it before the write resolves; a refused write throws instead
    let present = false;
    await writer.submit(() => {
      present = writer.has(key);
      return present ? [{ key, value: undefined }] : [];
    });
    return present;
  }

  /** All operations go to disk as one framed group: after a crash, all of them or none. */
  protected override _apply(operations: readonly BatchOperation[]): Promise<void> {
    const records: RecordInput[] = operations.map((operation) =>
      operation.type === 'set'
        ? { key: operation.key, value: operation.value }
        : { key: operation.key, value: undefined },
    );
    return this.#writer().submit(() => records);
  }

  /** One framed group of deletions, so a clear is atomic too. */
  protected override _clear(range: RangeOptions): Promise<void> {
    const writer = this.#writer();
    return writer.submit(() => this.#keysIn(range, writer.keys()).map((key) => ({ key, value: undefined })));
  }

  protected override async _flush(): Promise<void> {
    await this.#writer().drain();
    const state = this.#open();
    // Pinned: a rotation and a merge during the fsync may retire this file.
    await state.withFile(state.active, (file) => file.handle.sync());
  }

  // ---- history and transactions ----

  /** Every version of `key` still in the files, oldest first. */
  protected override async _versions(key: string): Promise<VersionInfo[]> {
    return findVersions(this.#open(), key).map(({ sequence, timestamp, deleted }) => ({
      sequence,
      timestamp,
      deleted,
    }));
  }

  /** The value written by the write with `sequence`; undefined for a deletion or a version no longer stored. */
  protected override async _getVersion(key: string, sequence: number): Promise<EncodedValue | undefined> {
    const state = this.#open();
    const version = findVersions(state, key).find((candidate) => candidate.sequence === sequence);
    if (version === undefined || version.deleted) return undefined;
    return state.readValue(key, version.file, version.valueOffset, version.valueLength, version.flags);
  }

  /**
   * Runs `body` as an optimistic transaction: its reads see the store as of its start
   * plus its own writes; its writes commit atomically, or it rejects with CONFLICT when a
   * key it read or wrote was changed by a commit after its start.
   */
  protected override async _transaction<T>(body: (tx: LogTransaction) => Promise<T>): Promise<T> {
    const state = this.#open();
    state.openTransactions++;
    try {
      const tx = new LogTransaction(
        {
          limits: this.supports,
          readAt: (key, snapshot) => this.#readAt(key, snapshot),
          commit: (done) => this.#commitTransaction(done),
        },
        state.visibleSequence,
      );
      return await tx.execute(body);
    } finally {
      // The snapshot is released: with no transaction open, no old sequence needs remembering.
      if (--state.openTransactions === 0) state.recentWrites.clear();
    }
  }

  /** Appends a transaction's writes as one framed group, unless a key it read or wrote changed after its snapshot. */
  #commitTransaction(tx: LogTransaction): Promise<void> {
    const writer = this.#writer();
    return writer.submit(() => {
      for (const key of [...tx.reads, ...tx.writes.keys()]) {
        if (writer.changedSince(key, tx.snapshot)) throw conflictError(key);
      }
      const records: RecordInput[] = [];
      for (const [key, value] of tx.writes) {
        // Deleting a key that is absent writes nothing.
        if (value !== undefined || writer.has(key)) records.push({ key, value });
      }
      return records;
    });
  }

  // ---- maintenance ----

  /**
   * Rewrites the live data (and the newest `keepVersions` versions) of every immutable
   * data file into new files with hint files, while reads and writes go on, then removes
   * the old files. Concurrent calls share one merge.
   */
  merge(options: MergeOptions = {}): Promise<MergeReport> {
    return this.run(() => {
      checkMergeOptions(options);
      this.#merging ??= mergeStore(this.#open(), options).finally(() => {
        this.#merging = undefined;
      });
      return this.#merging;
    });
  }

  /** Checks every record of every data file and every hint file; reports what is wrong. */
  verify(): Promise<VerifyReport> {
    return this.run(async () => verifyStore(this.#open()));
  }

  /** Keys, files with live and dead bytes, the last merge, and what recovery did at open. */
  stats(): Promise<LogStats> {
    return this.run(async () => storeStats(this.#open()));
  }

  // ---- helpers ----

  #open(): StoreState {
    if (this.#opened === undefined) throw this.closedError();
    return this.#opened.state;
  }

  #writer(): CommitPipeline {
    if (this.#opened === undefined) throw this.closedError();
    return this.#opened.pipeline;
  }

  #sortedKeysIn(range: RangeOptions): string[] {
    const keys = this.#keysIn(range).sort(compareKeys);
    return range.reverse === true ? keys.reverse() : keys;
  }

  #keysIn(range: RangeOptions, from: Iterable<string> = this.#open().keydir.keys()): string[] {
    const keys: string[] = [];
    const bounded =
      range.prefix !== undefined ||
      range.gt !== undefined ||
      range.gte !== undefined ||
      range.lt !== undefined ||
      range.lte !== undefined;
    for (const key of from) {
      if (!bounded || inRange(key, range)) keys.push(key);
    }
    return keys;
  }

  /** The value of `key` as of sequence `snapshot`. */
  #readAt(key: string, snapshot: number): EncodedValue | undefined {
    const state = this.#open();
    const newest = state.recentWrites.get(key);
    if (newest === undefined || newest <= snapshot) return state.get(key);
    // Changed since the snapshot: the older version is on disk.
    let chosen: ReturnType<typeof findVersions>[number] | undefined;
    for (const version of findVersions(state, key)) {
      if (version.sequence <= snapshot) chosen = version;
    }
    if (chosen === undefined || chosen.deleted) return undefined;
    return state.readValue(key, chosen.file, chosen.valueOffset, chosen.valueLength, chosen.flags);
  }
}
