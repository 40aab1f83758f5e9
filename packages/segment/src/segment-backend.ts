/**
 * SegmentBackend: a log-structured merge tree. Writes go to a WAL (group commit) and a
 * memtable; a full memtable is flushed to a sorted, immutable level-0 segment file, and
 * background compaction merges segments down through the levels. Reads check the
 * memtables, then level 0 newest first, then one file per deeper level (Bloom filters
 * skip files without the key); ordered iteration merges all of them from a snapshot.
 */
import { join } from 'node:path';
import {
  AbstractBackend,
  type BatchOperation,
  type EncodedValue,
  inRange,
  type RangeOptions,
  type WriteOptions,
} from '@stowage/core';
import { openLockedStore } from '@stowage/fs';
import { type CompactionPlan, pickCompaction, runCompaction } from './compaction.js';
import type { EntryCursor } from './entry-cursor.js';
import { asStowageError, ORIGIN } from './errors.js';
import { flushOldest, switchMemtable } from './flush.js';
import { boundsOf, type KeyBounds } from './key-bounds.js';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './limits.js';
import type { MemtableCursor } from './memtable.js';
import { LevelCursor, MergeCursor } from './merge-cursor.js';
import { recoverStore } from './recovery.js';
import { type RepairReport, repairStore } from './repair.js';
import { KIND_TOMBSTONE } from './segment-format.js';
import { resolveOptions, type SegmentBackendOptions, type StoreSettings } from './segment-options.js';
import { type SegmentStats, storeStats } from './stats.js';
import { StoreState, type Version } from './store-state.js';
import { type VerifyReport, verifyStore } from './verify.js';
import { WritePipeline } from './write-pipeline.js';

export const LOCK_FILE = 'LOCK';
/** Frozen memtables allowed to wait for their flush before writers wait too. */
const MAX_FROZEN = 2;
/** Level-0 files (× the trigger) at which writers wait for compaction to catch up. */
const LEVEL0_STOP_FACTOR = 3;

export class SegmentBackend extends AbstractBackend {
  readonly name = 'segment';
  readonly #settings: StoreSettings;
  #state: StoreState | undefined;
  #pipeline: WritePipeline | undefined;
  #flushing: Promise<void> | undefined;
  #compacting: Promise<void> | undefined;
  #backgroundError: unknown;
  #closing = false;
  #switchRequested = false;

  constructor(options: SegmentBackendOptions) {
    super(ORIGIN, {
      persistent: true,
      orderedIteration: true,
      atomicBatch: true,
      transactions: false,
      versions: false,
      nativeTtl: false,
      exactMembership: true,
      multiProcess: false,
      durability: [resolveOptions(options).durability],
      maxKeyBytes: MAX_KEY_BYTES,
      maxValueBytes: MAX_VALUE_BYTES,
    });
    this.#settings = resolveOptions(options);
  }

  /** The store's directory. */
  get dir(): string {
    return this.#settings.dir;
  }

  /**
   * Repairs a closed store: cuts damaged WAL records off, rewrites damaged segments
   * keeping every intact block, drops missing files from the manifest, and reports what
   * was lost. Takes the store's lock, so it refuses while the store is open anywhere.
   */
  static repair(options: SegmentBackendOptions): Promise<RepairReport> {
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
        await recoverStore(state, removedTempFiles.length);
      } catch (error) {
        state.closeAll();
        // A StowageError (CORRUPTION naming a file, IO) stays as it is; a bare node error gets its code.
        throw asStowageError(error, `open the store in ${dir}`);
      }
    });
    this.#state = state;
    this.#pipeline = new WritePipeline(state, () => this.#makeRoom());
    this.#schedule();
  }

  protected async _close(): Promise<void> {
    const state = this.#state;
    if (state === undefined) return;
    this.#closing = true;
    try {
      await this.#pipeline?.drain();
      await Promise.all([this.#flushing, this.#compacting]);
      if (this.#pipeline?.failure === undefined) await state.wal?.sync();
    } finally {
      state.closeAll();
      await state.lock?.release();
      this.#state = undefined;
      this.#pipeline = undefined;
    }
  }

  // ---- reads: synchronous, from the memtables and the block cache or one positional read per level ----

  protected _get(key: string): EncodedValue | undefined {
    return this.#open().get(key);
  }

  /**
   * The value of `key`, answered synchronously (no promise, no await): for a hot read path.
   * Throws STORE_CLOSED, INVALID_KEY or CORRUPTION as `get` rejects with them.
   */
  getSync(key: string): EncodedValue | undefined {
    this.assertOpen();
    this.checkKey(key);
    return this.#open().get(key);
  }

  protected override _has(key: string): boolean {
    return this.#open().get(key) !== undefined;
  }

  protected override _getMany(keys: readonly string[]): (EncodedValue | undefined)[] {
    const state = this.#open();
    return keys.map((key) => state.get(key));
  }

  protected override _keys(range: RangeOptions): AsyncIterable<string> {
    return this.#scan(range, false) as AsyncIterable<string>;
  }

  protected _entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    return this.#scan(range, true) as AsyncIterable<[string, EncodedValue]>;
  }

  // ---- writes ----

  protected _set(key: string, value: EncodedValue, _options: WriteOptions): Promise<void> {
    const copy = value instanceof Uint8Array ? value.slice() : value;
    return this.#writer().submit(() => [{ key, value: copy }]);
  }

  protected async _delete(key: string): Promise<boolean> {
    const writer = this.#writer();
    let present = false;
    await writer.submit(() => {
      present = writer.has(key);
      return present ? [{ key, value: undefined }] : [];
    });
    return present;
  }

  /** All operations are one WAL record: after a crash, all of them or none. */
  protected override _apply(operations: readonly BatchOperation[]): Promise<void> {
    const records = operations.map((operation) =>
      operation.type === 'set'
        ? {
            key: operation.key,
            value: operation.value instanceof Uint8Array ? operation.value.slice() : operation.value,
          }
        : { key: operation.key, value: undefined },
    );
    return this.#writer().submit(() => records);
  }

  /** One record of deletions, so a clear is atomic too. */
  protected override _clear(range: RangeOptions): Promise<void> {
    const writer = this.#writer();
    return writer.submit(() => {
      const keys: string[] = [];
      const limit = range.limit ?? Number.POSITIVE_INFINITY;
      const overlay = writer.overlay;
      const { cursor, done } = this.#cursor(this.#open(), boundsOf(range), range.reverse === true);
      try {
        for (; cursor.valid && keys.length < limit; cursor.next()) {
          if (cursor.kind === KIND_TOMBSTONE || overlay.has(cursor.key)) continue;
          if (inRange(cursor.key, range)) keys.push(cursor.key);
        }
      } finally {
        done();
      }
      for (const [key, value] of overlay) {
        if (value !== undefined && keys.length < limit && inRange(key, range)) keys.push(key);
      }
      return keys.map((key) => ({ key, value: undefined }));
    });
  }

  protected override async _flush(): Promise<void> {
    await this.#writer().drain();
    await this.#open().wal?.sync();
  }

  // ---- maintenance ----

  /**
   * Flushes the memtable and runs compactions until no level is over its target, level 0
   * included (any level-0 files are merged into level 1). Reads and writes go on meanwhile.
   */
  compact(): Promise<void> {
    return this.run(async () => {
      const state = this.#open();
      if (state.active.size > 0) {
        this.#switchRequested = true;
        await this.#writer().submit(() => []);
      }
      while (state.immutables.length > 0) {
        this.#schedule();
        if (this.#flushing === undefined) throw this.closedError();
        await this.#flushing;
        if (this.#backgroundError !== undefined && state.immutables.length > 0) throw this.#backgroundError;
      }
      let force = true;
      for (let round = 0; round < 64; round++) {
        while (this.#compacting !== undefined) await this.#compacting;
        const plan = pickCompaction(state, force);
        force = false;
        if (plan === undefined) break;
        await this.#compactOnce(plan);
      }
    });
  }

  /** Checks every block of every listed segment and every WAL record; reports what is wrong. */
  verify(): Promise<VerifyReport> {
    return this.run(async () => verifyStore(this.#open()));
  }

  /** Levels, files, memory, cache, bytes written and write amplification. */
  stats(): Promise<SegmentStats> {
    return this.run(async () => storeStats(this.#open()));
  }

  // ---- background work ----

  #schedule(): void {
    const state = this.#state;
    if (state === undefined || this.#closing) return;
    if (this.#flushing === undefined && state.immutables.length > 0) {
      this.#flushing = (async () => {
        try {
          while (state.immutables.length > 0 && !this.#closing) await flushOldest(state);
          this.#backgroundError = undefined;
          return true;
        } catch (error) {
          this.#backgroundError = error;
          return false;
        }
      })().then((ok) => {
        this.#flushing = undefined;
        if (ok) this.#schedule();
      });
    }
    if (this.#compacting === undefined && this.#settings.autoCompact) {
      const plan = pickCompaction(state);
      if (plan !== undefined)
        void this.#compactOnce(plan).then(
          () => this.#schedule(),
          () => undefined,
        );
    }
  }

  #compactOnce(plan: CompactionPlan): Promise<void> {
    const state = this.#open();
    const work = runCompaction(state, plan);
    const settled: Promise<void> = work.then(
      () => {
        if (this.#compacting === settled) this.#compacting = undefined;
      },
      (error: unknown) => {
        this.#backgroundError = error;
        if (this.#compacting === settled) this.#compacting = undefined;
      },
    );
    this.#compacting = settled;
    return work;
  }

  /** Before each group of writes: freeze a full memtable; wait when flushes or compactions fall behind. */
  async #makeRoom(): Promise<void> {
    const state = this.#open();
    for (;;) {
      const full =
        state.active.bytes >= this.#settings.memtableBytes || (this.#switchRequested && state.active.size > 0);
      if (!full) return;
      if (state.immutables.length >= MAX_FROZEN) {
        await this.#waitForFlush(state);
        continue;
      }
      if (
        this.#settings.autoCompact &&
        state.version.levels[0]!.length >= LEVEL0_STOP_FACTOR * this.#settings.level0Trigger
      ) {
        this.#schedule();
        if (this.#compacting !== undefined) {
          await this.#compacting;
          continue;
        }
      }
      await switchMemtable(state);
      this.#switchRequested = false;
      this.#schedule();
      return;
    }
  }

  async #waitForFlush(state: StoreState): Promise<void> {
    this.#schedule();
    if (this.#flushing === undefined) throw this.closedError();
    await this.#flushing;
    if (state.immutables.length >= MAX_FROZEN && this.#backgroundError !== undefined) throw this.#backgroundError;
  }

  // ---- helpers ----

  #open(): StoreState {
    if (this.#state === undefined) throw this.closedError();
    return this.#state;
  }

  #writer(): WritePipeline {
    if (this.#pipeline === undefined) throw this.closedError();
    return this.#pipeline;
  }

  /** A merged cursor over every source as of now; `done` releases the snapshot. */
  #cursor(state: StoreState, bounds: KeyBounds, reverse: boolean): { cursor: MergeCursor; done: () => void } {
    const version: Version = state.acquireVersion();
    const memtables: MemtableCursor[] = [state.active.cursor(bounds, reverse)];
    for (let i = state.immutables.length - 1; i >= 0; i--) memtables.push(state.immutables[i]!.cursor(bounds, reverse));
    try {
      const sources: EntryCursor[] = [...memtables];
      for (const table of version.levels[0]!) sources.push(table.reader.cursor(bounds, reverse));
      for (let level = 1; level < version.levels.length; level++) {
        const files = version.levels[level]!;
        if (files.length > 0) sources.push(new LevelCursor(files, bounds, reverse));
      }
      let released = false;
      return {
        cursor: new MergeCursor(sources, reverse),
        done: () => {
          if (released) return;
          released = true;
          for (const memtable of memtables) memtable.release();
          state.releaseVersion(version);
        },
      };
    } catch (error) {
      for (const memtable of memtables) memtable.release();
      state.releaseVersion(version);
      throw error;
    }
  }

  async *#scan(range: RangeOptions, withValues: boolean): AsyncIterable<string | [string, EncodedValue]> {
    const state = this.#open();
    const { cursor, done } = this.#cursor(state, boundsOf(range), range.reverse === true);
    try {
      let left = range.limit ?? Number.POSITIVE_INFINITY;
      // Entries are gathered a few at a time between awaits: a snapshot read needs no await.
      const batch: (string | [string, EncodedValue])[] = [];
      while (left > 0) {
        for (; cursor.valid && batch.length < 64 && left > 0; cursor.next()) {
          if (cursor.kind === KIND_TOMBSTONE) continue;
          left--;
          batch.push(withValues ? [cursor.key, cursor.value()!] : cursor.key);
        }
        if (batch.length === 0) break;
        for (const item of batch) yield item;
        batch.length = 0;
        if (this.#state !== state) break;
      }
    } finally {
      done();
    }
  }
}
