/**
 * A Stowage engine on a CSV file a person can open in a spreadsheet and edit while the
 * store is closed. The whole store lives in a Map; acknowledged writes go to an append-only
 * journal (one CRC-checked line per write or batch, group-committed), and the CSV is
 * rewritten by temp file + fsync + rename when the journal outgrows it, on flush and on close.
 */
import { basename, dirname, join } from 'node:path';
import {
  AbstractBackend,
  type BatchOperation,
  type EncodedValue,
  type ExpiringValue,
  type RangeOptions,
  type WriteOptions,
} from '@stowage/core';
import {
  acquireLock,
  type FileLock,
  type FileSystem,
  GroupCommitQueue,
  hasErrorCode,
  makeDirectoryDurable,
  sweepTempFiles,
} from '@stowage/fs';
import type { MalformedRow } from './csv-file.js';
import { NotUtf8, readCsvBytes } from './csv-read.js';
import { writeCsvAtomic } from './csv-write.js';
import { corruption, csvFileError, invalidValue, origin } from './errors.js';
import { Journal } from './journal.js';
import { encodeBatch } from './journal-codec.js';
import { encodeRecord } from './journal-format.js';
import { MAX_RECORD_BYTES, MAX_VALUE_BYTES } from './limits.js';
import {
  type CsvBackendOptions,
  type CsvRecoveryAction,
  type CsvWarning,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import { SortedKeys } from './sorted-keys.js';

/** What one queued write carries: its operations and their JSON for the journal record of its group. */
interface JournalWrite {
  readonly operations: readonly BatchOperation[];
  readonly batch: Uint8Array;
}

/** What an open store holds open: released together at close, absent while closed. */
interface OpenFiles {
  readonly journal: Journal;
  readonly lock: FileLock;
}

export class CsvBackend extends AbstractBackend {
  readonly name = 'csv';
  /** The CSV file. */
  readonly path: string;
  /** Rows skipped at open (with `onMalformedRow: 'skip'`) and compactions that failed. */
  readonly warnings: CsvWarning[] = [];
  /** What the last open did to bring the files back to a consistent state (as the log engine's `stats().recovery`). */
  readonly recovery: CsvRecoveryAction[] = [];

  readonly #options: ResolvedOptions;
  readonly #fs: FileSystem;

  #entries = new Map<string, EncodedValue>();
  /** Expiry of each entry that has one, ms since the epoch (the CSV's `expires` column). */
  #expiries = new Map<string, number>();
  /** The CSV line of each key whose value still is the one read from the file (for telling a person where a cell is). */
  #lines = new Map<string, number>();
  #sorted = new SortedKeys(this.#entries);
  #queue = new GroupCommitQueue<JournalWrite, boolean[]>({
    commit: (writes, control) => this.#commit(writes, control.inThread),
    afterBatch: () => this.#compactIfDue(),
  });
  #open: OpenFiles | undefined;
  #csvBytes = 0;
  // Stryker disable next-line BooleanLiteral: #readCsv sets it at every open, before anything reads it
  #csvExists = false;
  // Stryker disable next-line BooleanLiteral: #readCsv sets it at every open, before anything reads it
  #writeByteOrderMark = false;
  /** After a failed background compaction, the next try waits until the journal reaches this size. */
  #retryCompactionAt = 0;

  constructor(options: CsvBackendOptions) {
    const resolved = resolveOptions(options);
    super(origin, {
      persistent: true,
      orderedIteration: true,
      atomicBatch: true,
      exactMembership: true,
      nativeTtl: true,
      // The expires column holds the expiry, so core hands the engine bare values.
      storesExpiry: true,
      // The level this instance was configured with, so tools derive what survives a power cut.
      durability: [resolved.durability],
      maxValueBytes: MAX_VALUE_BYTES,
    });
    this.#options = resolved;
    this.path = resolved.path;
    this.#fs = resolved.fs;
  }

  /** The journal file next to the CSV. */
  get journalPath(): string {
    return `${this.path}.journal`;
  }

  /** The lock file next to the CSV. */
  get lockPath(): string {
    return `${this.path}.lock`;
  }

  // ---- lifecycle ----

  protected async _open(): Promise<void> {
    const fs = this.#fs;
    this.warnings.length = 0; // a retried open reports afresh
    this.recovery.length = 0;
    this.#entries.clear();
    this.#expiries.clear();
    this.#lines.clear();
    this.#sorted.invalidate();
    try {
      await makeDirectoryDurable(fs, dirname(this.path));
    } catch (error) {
      throw csvFileError(error, dirname(this.path), 'create the folder');
    }
    const lock = await acquireLock(fs, this.lockPath, { origin });
    let journal: Journal | undefined;
    try {
      this.#removeTempFiles();
      this.#readCsv();
      const opened = await Journal.open(fs, this.journalPath, { onDamage: this.#options.onJournalDamage });
      journal = opened.journal;
      this.#open = { journal, lock };
      this.recovery.push(...opened.recovery);
      for (const warning of opened.warnings) this.#warn(warning);
      // Journal records are puts and deletes of whole values, so replaying records the CSV
      // already holds (a crash between a compaction's rename and the journal's reset) is harmless.
      for (const batch of opened.batches) this.#applyOperations(batch);
      // A journal of the old format is folded in at once; the reset writes the new header.
      if (opened.legacy) await this.#compact();
    } catch (error) {
      journal?.abandon();
      this.#open = undefined;
      await lock.release().catch(() => undefined);
      throw error;
    }
  }

  protected async _close(): Promise<void> {
    // Core runs _close only after _open succeeded, which leaves #open set.
    const { journal, lock } = this.#open!;
    let failure: unknown;
    try {
      await this.#queue.exclusive(async () => {
        if (journal.hasRecords || !this.#csvExists) await this.#compact();
      });
    } catch (error) {
      failure = error;
    }
    try {
      journal.close();
      // A clean close leaves the CSV alone in its folder, ready for a person to edit.
      if (failure === undefined) {
        this.#fs.unlink(this.journalPath);
        await this.#fs.syncDirectory(dirname(this.path));
      }
    } catch (error) {
      failure ??= csvFileError(error, this.journalPath, 'remove');
    }
    this.#open = undefined;
    this.#entries.clear();
    this.#expiries.clear();
    this.#lines.clear();
    this.#sorted.invalidate();
    try {
      await lock.release();
    } catch (error) {
      failure ??= error;
    }
    if (failure !== undefined) throw failure;
  }

  // ---- reads ----

  protected _get(key: string): EncodedValue | undefined {
    return copyValue(this.#entries.get(key));
  }

  protected override _getWithExpiry(key: string): ExpiringValue | undefined {
    const value = this.#entries.get(key);
    return value === undefined ? undefined : { value: copyValue(value), expiresAt: this.#expiries.get(key) };
  }

  protected override _has(key: string): boolean {
    return this.#entries.has(key);
  }

  protected override _getMany(keys: readonly string[]): (EncodedValue | undefined)[] {
    return keys.map((key) => copyValue(this.#entries.get(key)));
  }

  protected override async _size(): Promise<number> {
    return this.#entries.size;
  }

  protected async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    for (const key of this.#sorted.within(range)) {
      const value = this.#entries.get(key);
      // Stryker disable next-line ConditionalExpression: the sorted keys are those of #entries (it rebuilds from them), so the value is there
      if (value !== undefined) yield [key, copyValue(value)];
    }
  }

  protected override async *_entriesWithExpiry(range: RangeOptions): AsyncIterable<[string, ExpiringValue]> {
    for (const key of this.#sorted.within(range)) {
      const value = this.#entries.get(key);
      // Stryker disable next-line ConditionalExpression: the sorted keys are those of #entries (it rebuilds from them), so the value is there
      if (value !== undefined) yield [key, { value: copyValue(value), expiresAt: this.#expiries.get(key) }];
    }
  }

  protected override async *_keys(range: RangeOptions): AsyncIterable<string> {
    for (const key of this.#sorted.within(range)) {
      // Stryker disable next-line ConditionalExpression: the sorted keys are those of #entries (it rebuilds from them)
      if (this.#entries.has(key)) yield key;
    }
  }

  // ---- writes ----

  protected async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    const { expiresAt } = options;
    const owned = this.#ownedValue(value);
    await this.#write([
      // Stryker disable next-line ConditionalExpression: an expiresAt of undefined is encoded and applied as no expiry
      expiresAt === undefined ? { type: 'set', key, value: owned } : { type: 'set', key, value: owned, expiresAt },
    ]);
  }

  protected async _delete(key: string): Promise<boolean> {
    // Nothing queued could add the key before this delete, so an absent key needs no journal line.
    if (!this.#queue.busy && !this.#entries.has(key)) return false;
    const [removed] = await this.#write([{ type: 'delete', key }]);
    return removed === true;
  }

  protected override async _apply(operations: readonly BatchOperation[]): Promise<void> {
    const checked = operations.map((operation): BatchOperation => {
      if (operation.type === 'delete') return { type: 'delete', key: operation.key };
      const value = this.#ownedValue(operation.value);
      const { key, expiresAt } = operation;
      // Stryker disable next-line ConditionalExpression: an expiresAt of undefined is encoded and applied as no expiry
      return expiresAt === undefined ? { type: 'set', key, value } : { type: 'set', key, value, expiresAt };
    });
    await this.#write(checked);
  }

  protected override async _clear(range: RangeOptions): Promise<void> {
    // Runs in its place in the queue, so it clears what every earlier write left, and nothing later.
    await this.#queue.exclusive(async () => {
      const doomed: BatchOperation[] = [];
      // Stryker disable next-line BooleanLiteral: deleting in the other order leaves the same store
      for (const key of this.#sorted.within({ ...range, reverse: false })) {
        // Stryker disable next-line ConditionalExpression: the sorted keys are those of #entries
        if (this.#entries.has(key)) doomed.push({ type: 'delete', key });
      }
      if (doomed.length === 0) return;
      await this.#commit([{ operations: doomed, batch: encodeBatch(doomed) }]);
      await this.#compactIfDue();
    });
  }

  /** Deletes the entries whose expiry is at or before `now`, as one journal record; returns how many. */
  protected override async _sweepExpired(now: number): Promise<number> {
    return this.#queue.exclusive(async () => {
      const doomed: BatchOperation[] = [];
      for (const [key, expiresAt] of this.#expiries) {
        if (expiresAt <= now && this.#entries.has(key)) doomed.push({ type: 'delete', key });
      }
      if (doomed.length === 0) return 0;
      await this.#commit([{ operations: doomed, batch: encodeBatch(doomed) }]);
      await this.#compactIfDue();
      return doomed.length;
    });
  }

  /**
   * Where a person finds the value of `key` in the CSV: file, line and column, while the
   * value is still the one read from the file; undefined once it was written since.
   */
  locate(key: string): { file: string; line: number; column: number } | undefined {
    const line = this.#lines.get(key);
    return line === undefined ? undefined : { file: this.path, line, column: 2 };
  }

  protected override async _flush(): Promise<void> {
    await this.#queue.exclusive(async () => {
      // Core refuses a flush unless the store is open, and close's own task queues after this one.
      const { journal } = this.#open!;
      if (journal.hasRecords || !this.#csvExists) await this.#compact();
    });
  }

  /** Queues `operations` as one batch; resolves with each operation's result once durable. */
  async #write(operations: BatchOperation[]): Promise<boolean[]> {
    const batch = encodeBatch(operations);
    if (batch.length > MAX_RECORD_BYTES) {
      throw invalidValue(
        `a batch takes ${batch.length} bytes in the journal; at most ${MAX_RECORD_BYTES} fit (split it into smaller batches)`,
      );
    }
    return this.#queue.enqueue({ operations, batch });
  }

  /**
   * Writes a group of batches as ONE journal record with one append and one fsync (in the
   * calling thread when the queue says so: a lone write of an awaiting writer), then
   * applies them in order. One record per append is what lets open tell a crash (damage
   * only inside the last record) from damage to acknowledged records.
   */
  // Stryker disable next-line BooleanLiteral: where the fsync runs is not observable (the simulated disk makes both durable alike)
  async #commit(writes: readonly JournalWrite[], inThread = false): Promise<boolean[][]> {
    const journal = this.#journalOrThrow();
    const before = journal.size;
    // One append per record; a group larger than a record's limit becomes several records
    // (a crash tears at most the first append it loses, and drops the ones after it).
    for (const group of recordGroups(writes)) journal.append(encodeRecord(group));
    if (this.#options.durability === 'batch') {
      try {
        await journal.sync(inThread);
      } catch (error) {
        // Never acknowledged, so it must not come back at the next open either.
        await journal.rollBack(before).catch(() => undefined);
        throw error;
      }
    }
    return writes.map((write) => this.#applyOperations(write.operations));
  }

  /** Applies operations to the Map; returns, for each, whether the key was present before. */
  #applyOperations(operations: readonly BatchOperation[]): boolean[] {
    const entries = this.#entries;
    return operations.map((operation) => {
      const present = entries.has(operation.key);
      this.#lines.delete(operation.key);
      if (operation.type === 'set') {
        entries.set(operation.key, operation.value);
        // A write without an expiry ends the old one.
        if (operation.expiresAt === undefined) this.#expiries.delete(operation.key);
        else this.#expiries.set(operation.key, operation.expiresAt);
        // Stryker disable next-line ConditionalExpression,BooleanLiteral: an extra invalidation only costs a rebuild of the same keys
        if (!present) this.#sorted.invalidate();
      } else if (present) {
        entries.delete(operation.key);
        this.#expiries.delete(operation.key);
        this.#sorted.invalidate();
      }
      return present;
    });
  }

  // ---- compaction ----

  /** Folds the journal into the CSV when it has grown past its threshold (amortised: proportional to the CSV). */
  async #compactIfDue(): Promise<void> {
    // Runs in the queue (after a batch, a clear or a sweep), before close's own task.
    const { journal } = this.#open!;
    const { minJournalBytes, journalToCsvRatio } = this.#options;
    const threshold = Math.max(minJournalBytes, this.#csvBytes * journalToCsvRatio);
    if (journal.size <= threshold || journal.size < this.#retryCompactionAt) return;
    try {
      await this.#compact();
    } catch (error) {
      this.#retryCompactionAt = journal.size + threshold;
      this.#warn({
        kind: 'compaction-failed',
        file: this.path,
        message: `rewriting ${this.path} failed; the journal keeps every write and it will be retried`,
        cause: error,
      });
    }
  }

  /**
   * Rewrites the CSV from the Map, then empties the journal. The order is what makes a crash
   * harmless: the journal is durable in full first (with `durability: 'none'` its last lines
   * may not be), then the new CSV (temp file, fsync, rename, folder fsync), and only then is
   * the journal emptied. A cut before the emptying is durable leaves the whole journal, whose
   * replay over a CSV holding all of it changes nothing; a mere prefix of it would roll keys
   * back to older values.
   */
  async #compact(): Promise<void> {
    const journal = this.#journalOrThrow();
    await journal.sync();
    let size: number;
    try {
      size = await writeCsvAtomic(this.#fs, this.path, this.#entries, {
        byteOrderMark: this.#writeByteOrderMark,
        expiries: this.#expiries,
      });
    } catch (error) {
      throw csvFileError(error, this.path, 'rewrite');
    }
    this.#csvBytes = size;
    this.#csvExists = true;
    this.#retryCompactionAt = 0;
    await journal.reset();
  }

  // ---- helpers ----

  #readCsv(): void {
    let data: Uint8Array;
    try {
      data = this.#fs.readFile(this.path);
    } catch (error) {
      if (!hasErrorCode(error, 'ENOENT')) throw csvFileError(error, this.path, 'read');
      this.#csvExists = false;
      this.#csvBytes = 0;
      this.#writeByteOrderMark = this.#options.byteOrderMark ?? false;
      return;
    }
    let parsed: ReturnType<typeof readCsvBytes>;
    try {
      parsed = readCsvBytes(data, {
        skipMalformed: this.#options.skipMalformed,
        fail: (row) => {
          throw corruption(`${this.path} line ${row.line}: ${row.reason}`, this.path, row.offset);
        },
      });
    } catch (error) {
      if (!(error instanceof NotUtf8)) throw error;
      throw corruption(
        `${this.path} line ${error.line}, byte ${error.offset}: not UTF-8 text. Save the file as "CSV UTF-8" ` +
          '(a spreadsheet\'s legacy "CSV" export uses another encoding), or convert it, e.g. with iconv',
        this.path,
        error.offset,
      );
    }
    const hadByteOrderMark = parsed.hadByteOrderMark;
    for (const row of parsed.malformed) this.#warnMalformed(row);
    this.#entries = parsed.entries;
    this.#expiries = parsed.expiries;
    this.#lines = parsed.lines;
    this.#sorted = new SortedKeys(this.#entries);
    this.#csvExists = true;
    this.#csvBytes = data.length;
    this.#writeByteOrderMark = this.#options.byteOrderMark ?? hadByteOrderMark;
  }

  #warnMalformed(row: MalformedRow): void {
    this.#warn({
      kind: 'malformed-row',
      file: this.path,
      line: row.line,
      message: `${this.path} line ${row.line}: ${row.reason} (row skipped; it is dropped when the file is next rewritten)`,
    });
  }

  #warn(warning: CsvWarning): void {
    this.warnings.push(warning);
    try {
      // Stryker disable next-line OptionalChaining: calling an absent listener throws, which the catch below swallows
      this.#options.onWarning?.(warning);
    } catch {
      // A listener that throws must not fail an open or a write; the warning is in `warnings`.
    }
  }

  /**
   * Removes temp files a crash left next to the CSV: a rewrite's (`.<name>.<pid>-<random>.tmp`)
   * and the lock's (`.<name>.lock...tmp`), through the one temp naming scheme of @stowage/fs,
   * which leaves the files of processes still alive (a rival opener's lock claim) alone.
   */
  #removeTempFiles(): void {
    let removed: string[];
    try {
      removed = sweepTempFiles(this.#fs, dirname(this.path), { prefix: basename(this.path) });
    } catch {
      return; // Debris only; a later open tries again.
    }
    for (const name of removed) {
      this.recovery.push({
        action: 'removed-temp-file',
        file: join(dirname(this.path), name),
        detail: 'left by an interrupted write',
      });
    }
  }

  /** Bytes are copied, so a caller changing its array later cannot change the store. (Lone surrogates are refused by AbstractBackend.) */
  #ownedValue(value: EncodedValue): EncodedValue {
    return typeof value === 'string' ? value : new Uint8Array(value);
  }

  #journalOrThrow(): Journal {
    if (this.#open === undefined) throw this.closedError();
    return this.#open.journal;
  }
}

function copyValue<T extends EncodedValue | undefined>(value: T): T {
  return (value instanceof Uint8Array ? new Uint8Array(value) : value) as T;
}

/** The batches of `writes`, grouped into records of at most MAX_RECORD_BYTES of payload. */
function recordGroups(writes: readonly JournalWrite[]): Uint8Array[][] {
  const groups: Uint8Array[][] = [[]];
  let bytes = 2;
  for (const { batch } of writes) {
    if (groups.at(-1)!.length > 0 && bytes + batch.length + 1 > MAX_RECORD_BYTES) {
      groups.push([]);
      bytes = 2;
    }
    groups.at(-1)!.push(batch);
    bytes += batch.length + 1;
  }
  return groups;
}
