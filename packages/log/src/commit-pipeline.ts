/**
 * Group commit. Every change (a set, a delete, a batch, a transaction's commit) enters
 * one queue, so sequence order is file order. The writes that arrive together (in the
 * same tick for `none` and `always`, before the next macrotask for `batch`) are encoded
 * into one buffer, appended with one call, and share one fsync; each promise resolves
 * only once its bytes are as durable as the store is configured to make them.
 *
 * A group becomes visible to reads (the key directory changes) only once it is durable,
 * just before its promises resolve, so no reader ever sees a write a power cut could
 * still take back. Until then the group's writes live in an overlay that the changes
 * queued behind them consult (a delete must know the key was just set, a transaction
 * must see a commit ahead of it as a conflict). If the append or the fsync fails, the
 * overlay is dropped, the file is cut back to where the group began (so the next
 * successful fsync makes the cut durable too), the writes reject with IO, and the store
 * goes on working. Only when even that cut fails does it refuse further writes, since
 * what the file holds is then unknown.
 *
 * A lone write with durability `none` skips the queue: when nothing is queued or in
 * flight and no other change went this way in the same tick, it is prepared, encoded,
 * appended and published at once, inside `submit`. That is what the queue would do with a
 * group of one (there is no fsync to wait for, so the write is visible as soon as it is
 * written), without the promise round, the microtask and the overlay. A change arriving
 * while one is queued or in flight, the second one of a tick (so a burst still shares one
 * append), and one that would rotate the file go through the queue.
 *
 * The queueing (gathering a group, one group at a time, settling each change) is
 * @stowage/fs's GroupCommitQueue; this file keeps only what is the log's own: prepare in
 * order, the overlay, encode, append (a rotation closes a chunk), fsync, roll back, publish,
 * and the `writing` marks that keep a merge off files being written. A change its prepare
 * function refuses (CONFLICT) rejects when its group settles, with the group's writes
 * published, so a retried transaction starts from a snapshot that holds them.
 */
import type { StowageError } from '@stowage/core';
import { type BatchControl, GroupCommitQueue } from '@stowage/fs';
import type { DataFile } from './data-files.js';
import { ioError } from './errors.js';
import {
  FILE_HEADER_SIZE,
  FLAG_DELETED,
  FLAG_STRING,
  FLAG_TXN_CONT,
  FLAG_TXN_MORE,
  RECORD_HEADER_SIZE,
  type RecordInput,
  writeRecord,
} from './record-format.js';
import { startLogFile } from './recovery.js';
import type { StoreState } from './store-state.js';

/**
 * Runs when the change reaches the head of the queue, in file order: returns the records
 * to write (none is fine), or throws (e.g. CONFLICT) to fail only this change.
 */
export type PrepareChange = () => readonly RecordInput[];

/** What one group has done so far: the files it appended to, and the chunk being gathered. */
class GroupInFlight {
  /** Every file this group appended to, with its size before the group. */
  readonly dirty = new Map<DataFile, number>();
  chunk: Buffer[] = [];
  chunkBytes = 0;
  /** The changes (indices in the group) whose records are in the chunk. */
  // Stryker disable next-line ArrayDeclaration: an extra string index passed to batch.fail names no change: settling looks up only 0..n-1
  chunkChanges: number[] = [];
  /** Index in the pending writes where the chunk's writes begin. */
  chunkFrom = 0;
}

/** The UTF-8 sizes of a change's records. */
interface Measured {
  readonly keyBytes: readonly number[];
  readonly valueBytes: readonly number[];
  readonly size: number;
}

function measure(records: readonly RecordInput[]): Measured {
  const keyBytes: number[] = [];
  const valueBytes: number[] = [];
  let size = 0;
  for (const record of records) {
    // Stryker disable next-line StringLiteral: an empty encoding name means utf8
    const k = Buffer.byteLength(record.key, 'utf8');
    const value = record.value;
    // A string's UTF-8 size; for bytes, Buffer.byteLength is their byteLength.
    const v = value === undefined ? 0 : Buffer.byteLength(value);
    keyBytes.push(k);
    valueBytes.push(v);
    size += RECORD_HEADER_SIZE + k + v;
  }
  return { keyBytes, valueBytes, size };
}

/**
 * Writes the records of one change into `buffer` (sized by `measure`), framed as one
 * transaction, with the sequence numbers from `firstSequence` on and one timestamp.
 */
function encodeChange(buffer: Buffer, records: readonly RecordInput[], encoded: Measured, firstSequence: number): void {
  const timestamp = Date.now();
  const last = records.length - 1;
  let at = 0;
  for (let i = 0; i <= last; i++) {
    const { key, value } = records[i]!;
    const k = encoded.keyBytes[i]!;
    const v = encoded.valueBytes[i]!;
    let flags = value === undefined ? FLAG_DELETED : typeof value === 'string' ? FLAG_STRING : 0;
    if (i > 0) flags |= FLAG_TXN_CONT;
    if (i < last) flags |= FLAG_TXN_MORE;
    writeRecord(buffer, at, flags, firstSequence + i, timestamp, key, k, value, v);
    at += RECORD_HEADER_SIZE + k + v;
  }
}

/** A record written by the group in flight, applied to the key directory once durable. */
interface PendingWrite {
  readonly key: string;
  readonly file: number;
  readonly valueOffset: number;
  readonly valueLength: number;
  readonly sequence: number;
  /** FLAG_DELETED and FLAG_STRING only. */
  readonly flags: number;
}

/** What a lone write resolves with: one settled promise serves them all. */
const DONE: Promise<void> = Promise.resolve();

export class CommitPipeline {
  readonly #state: StoreState;
  readonly #queue: GroupCommitQueue<PrepareChange>;
  #failure: StowageError | undefined;
  /** Lone writes may skip the queue: only without an fsync, which would need the queue's wait. */
  readonly #direct: boolean;
  /** A change skipped the queue in this tick: the next ones of the tick are gathered into a group. */
  #directThisTick = false;
  readonly #endTick = (): void => {
    this.#directThisTick = false;
  };
  /** The group in flight, in file order, and the newest of its writes per key. */
  #group: PendingWrite[] = [];
  readonly #overlay = new Map<string, PendingWrite>();

  constructor(state: StoreState) {
    this.#state = state;
    this.#queue = new GroupCommitQueue<PrepareChange>({
      // `batch` waits a macrotask for company; `always` and `none` commit what this tick queued.
      gather:
        state.settings.durability === 'batch'
          ? 'immediate'
          : // Stryker disable next-line StringLiteral: the queue gathers for a microtask on anything but 'immediate'
            'microtask',
      commit: (changes, batch) => this.#commit(changes, batch),
    });
    this.#direct = state.settings.durability === 'none';
  }

  /** Queues a change (or writes a lone one at once); resolves once its records are durable per the store's level. */
  submit(prepare: PrepareChange): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#alone()) return this.#writeAlone(prepare);
    return this.#queue.enqueue(prepare);
  }

  /** `submit` of one set, the most common change: alone, written without a prepare function or record list. */
  submitSet(key: string, value: string | Uint8Array): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#alone()) return this.#setAlone(key, value);
    return this.#queue.enqueue(() => [{ key, value }]);
  }

  /** Resolves once every queued change has settled. */
  drain(): Promise<void> {
    return this.#queue.idle();
  }

  /** The error that stopped the pipeline, if a write failed past undoing. */
  get failure(): StowageError | undefined {
    return this.#failure;
  }

  // ---- the writer's view, for prepare functions: durable state plus the group in flight ----

  /** True when `key` is present once every write queued ahead is applied. */
  has(key: string): boolean {
    const pending = this.#overlay.get(key);
    return pending === undefined ? this.#state.keydir.has(key) : (pending.flags & FLAG_DELETED) === 0;
  }

  /** Every key present once every write queued ahead is applied. */
  keys(): string[] {
    const keys: string[] = [];
    for (const key of this.#state.keydir.keys()) if (!this.#overlay.has(key)) keys.push(key);
    for (const [key, pending] of this.#overlay) if ((pending.flags & FLAG_DELETED) === 0) keys.push(key);
    return keys;
  }

  /** True when a write of `key` with a sequence above `snapshot` is applied or queued ahead. */
  changedSince(key: string, snapshot: number): boolean {
    return (this.#overlay.get(key)?.sequence ?? 0) > snapshot || (this.#state.recentWrites.get(key) ?? 0) > snapshot;
  }

  // ---- the writer ----

  /**
   * A change with nothing ahead of it and durability `none`: prepared now (nothing queued
   * can change what it sees), appended with one call and published before this returns,
   * as a group of one would be. A failed append leaves the store as it was: the file is
   * cut back and nothing is published. A change that would rotate the file goes through
   * the queue with the records it prepared, since the rotation waits for an fsync.
   */
  #writeAlone(prepare: PrepareChange): Promise<void> {
    let records: readonly RecordInput[];
    try {
      records = prepare();
    } catch (error) {
      return Promise.reject(error);
    }
    const encoded = measure(records);
    if (this.#mustRotate(0, encoded.size)) return this.#queue.enqueue(() => records);
    this.#claimTick();
    if (encoded.size === 0) return DONE;
    const state = this.#state;
    const active = state.active;
    const buffer = Buffer.allocUnsafe(encoded.size);
    const firstSequence = state.lastSequence + 1;
    encodeChange(buffer, records, encoded, firstSequence);
    state.lastSequence += records.length;
    const before = this.#appendAlone(buffer);
    if (typeof before !== 'number') return Promise.reject(before);
    const keydir = state.keydir;
    const remember = state.openTransactions > 0;
    let at = before;
    for (let i = 0; i < records.length; i++) {
      const { key, value } = records[i]!;
      const k = encoded.keyBytes[i]!;
      const v = encoded.valueBytes[i]!;
      const sequence = firstSequence + i;
      if (value === undefined) keydir.delete(key);
      else
        keydir.set(
          key,
          active.id,
          at + RECORD_HEADER_SIZE + k,
          v,
          sequence,
          typeof value === 'string' ? FLAG_STRING : 0,
        );
      if (remember) state.recentWrites.set(key, sequence);
      at += RECORD_HEADER_SIZE + k + v;
    }
    state.visibleSequence = state.lastSequence;
    return DONE;
  }

  /** `#writeAlone` of one set, as `encodeChange` and the loop above would write and publish it. */
  #setAlone(key: string, value: string | Uint8Array): Promise<void> {
    // Stryker disable next-line StringLiteral: an empty encoding name means utf8
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const valueBytes = Buffer.byteLength(value);
    const size = RECORD_HEADER_SIZE + keyBytes + valueBytes;
    if (this.#mustRotate(0, size)) return this.#queue.enqueue(() => [{ key, value }]);
    this.#claimTick();
    const state = this.#state;
    const file = state.active.id;
    const buffer = Buffer.allocUnsafe(size);
    const sequence = ++state.lastSequence;
    const flags = typeof value === 'string' ? FLAG_STRING : 0;
    writeRecord(buffer, 0, flags, sequence, Date.now(), key, keyBytes, value, valueBytes);
    const at = this.#appendAlone(buffer);
    if (typeof at !== 'number') return Promise.reject(at);
    state.keydir.set(key, file, at + RECORD_HEADER_SIZE + keyBytes, valueBytes, sequence, flags);
    if (state.openTransactions > 0) state.recentWrites.set(key, sequence);
    state.visibleSequence = sequence;
    return DONE;
  }

  /** True when a change may be written at once: durability none, nothing queued or in flight, the first of its tick. */
  #alone(): boolean {
    return this.#direct && !this.#directThisTick && !this.#queue.busy;
  }

  /** A change goes the lone way in this tick: the rest of the tick's changes are gathered into a group. */
  #claimTick(): void {
    this.#directThisTick = true;
    queueMicrotask(this.#endTick);
  }

  /**
   * Appends a lone change's records with one call; returns the offset they start at, or
   * the error to reject with after cutting the file back to that offset (a failed cut
   * stops the pipeline, as in a group).
   */
  #appendAlone(buffer: Buffer): number | StowageError {
    const handle = this.#state.active.handle;
    const before = handle.size();
    try {
      handle.append(buffer);
      return before;
    } catch (error) {
      try {
        handle.truncate(before);
      } catch (truncateError) {
        this.#failure = ioError(truncateError, handle.path, 'truncate a failed append of');
      }
      return ioError(error, handle.path, 'append to');
    }
  }

  /**
   * Writes one group: each change is prepared and encoded in queue order, the encoded
   * records are appended in as few calls as possible (a rotation closes a chunk), and one
   * fsync per file touched makes them durable; then the group is published, or rolled
   * back if any step failed. The queue settles the changes: `batch.fail` for one refused
   * or whose append failed, a throw for the whole group.
   */
  async #commit(changes: readonly PrepareChange[], batch: BatchControl): Promise<void> {
    const group = new GroupInFlight();
    try {
      for (const [index, prepare] of changes.entries()) {
        if (this.#failure !== undefined) {
          batch.fail(index, this.#failure);
          continue;
        }
        let records: readonly RecordInput[];
        try {
          records = prepare();
        } catch (error) {
          batch.fail(index, error);
          continue;
        }
        const encoded = measure(records);
        if (this.#mustRotate(group.chunkBytes, encoded.size)) {
          this.#append(group, batch);
          if (this.#failure !== undefined) {
            batch.fail(index, this.#failure);
            continue;
          }
          await this.#rotate();
        }
        this.#encode(group, index, records, encoded);
      }
      this.#append(group, batch);
      // A group that appended nothing has no file to fsync: #sync does nothing then.
      if (this.#state.settings.durability !== 'none') await this.#sync(group);
    } catch (error) {
      // Changes refused earlier keep their own error; the rest reject with this one.
      throw this.#rollBack(group, error);
    } finally {
      this.#state.writing.clear();
    }
    this.#publish();
  }

  /** True when `size` more bytes after `pending` unwritten ones would take a non-empty active file past the size limit. */
  #mustRotate(pending: number, size: number): boolean {
    const fileSize = this.#state.active.handle.size() + pending;
    return size > 0 && fileSize > FILE_HEADER_SIZE && fileSize + size > this.#state.settings.maxFileSize;
  }

  /** Encodes the records of one change into the group's next chunk, with their sequence numbers and places. */
  #encode(group: GroupInFlight, index: number, records: readonly RecordInput[], encoded: Measured): void {
    const state = this.#state;
    const buffer = Buffer.allocUnsafe(encoded.size);
    const firstSequence = state.lastSequence + 1;
    encodeChange(buffer, records, encoded, firstSequence);
    state.lastSequence += records.length;
    const file = state.active.id;
    let at = state.active.handle.size() + group.chunkBytes;
    for (let i = 0; i < records.length; i++) {
      const { key, value } = records[i]!;
      const k = encoded.keyBytes[i]!;
      const v = encoded.valueBytes[i]!;
      const pending: PendingWrite = {
        key,
        file,
        valueOffset: at + RECORD_HEADER_SIZE + k,
        valueLength: v,
        sequence: firstSequence + i,
        flags: value === undefined ? FLAG_DELETED : typeof value === 'string' ? FLAG_STRING : 0,
      };
      this.#group.push(pending);
      this.#overlay.set(key, pending);
      at += RECORD_HEADER_SIZE + k + v;
    }
    // A change that writes nothing adds an empty buffer: the chunk appends the same bytes.
    group.chunk.push(buffer);
    group.chunkBytes += encoded.size;
    group.chunkChanges.push(index);
  }

  /**
   * Appends the pending chunk to the active file with one call. If the append fails, the
   * chunk's changes reject, their writes are forgotten and the file is cut back; the rest
   * of the group goes on.
   */
  #append(group: GroupInFlight, batch: BatchControl): void {
    const state = this.#state;
    const active = state.active;
    if (group.chunkBytes > 0) {
      const handle = active.handle;
      const before = handle.size();
      try {
        state.writing.add(active);
        if (!group.dirty.has(active)) group.dirty.set(active, before);
        handle.append(group.chunk.length === 1 ? group.chunk[0]! : Buffer.concat(group.chunk, group.chunkBytes));
      } catch (error) {
        this.#forget(group.chunkFrom);
        try {
          handle.truncate(before);
        } catch (truncateError) {
          this.#failure = ioError(truncateError, handle.path, 'truncate a failed append of');
        }
        const failure = ioError(error, handle.path, 'append to');
        for (const index of group.chunkChanges) batch.fail(index, failure);
      }
    }
    group.chunk = [];
    group.chunkBytes = 0;
    // Stryker disable next-line ArrayDeclaration: an extra string index passed to batch.fail names no change: settling looks up only 0..n-1
    group.chunkChanges = [];
    group.chunkFrom = this.#group.length;
  }

  /** One fsync per file the group appended to, each file kept open until its fsync is done. */
  async #sync(group: GroupInFlight): Promise<void> {
    const state = this.#state;
    await Promise.all([...group.dirty.keys()].map((file) => state.withFile(file, () => file.handle.sync())));
  }

  /**
   * A failed fsync or file rotation: nothing of this group is known to be on disk, so all
   * of it is undone. Returns the error the group's changes reject with.
   */
  #rollBack(group: GroupInFlight, error: unknown): StowageError {
    const failure = ioError(error, this.#state.active.handle.path, 'commit a group of writes to');
    this.#forget(0);
    for (const [file, size] of group.dirty) {
      try {
        file.handle.truncate(size);
      } catch (truncateError) {
        this.#failure ??= ioError(truncateError, file.path, 'cut back a failed group of');
      }
    }
    return failure;
  }

  /** Closes the full active file (made durable first, so only the newest file can ever have a torn tail) and starts the next. */
  async #rotate(): Promise<void> {
    const previous = this.#state.active;
    // Until this group is published, a merge must not take the file it leaves behind.
    this.#state.writing.add(previous);
    await previous.handle.sync();
    // It stays in the group's `dirty` files, so a failure later in this group also cuts its records back off.
    await startLogFile(this.#state);
  }

  /** The group is durable: readers see it from now on. */
  #publish(): void {
    const state = this.#state;
    const keydir = state.keydir;
    const remember = state.openTransactions > 0;
    for (const write of this.#group) {
      if ((write.flags & FLAG_DELETED) !== 0) {
        keydir.delete(write.key);
      } else {
        const slot = keydir.slot(write.key);
        if (slot === undefined)
          keydir.insert(write.key, write.file, write.valueOffset, write.valueLength, write.sequence, write.flags);
        else keydir.update(slot, write.file, write.valueOffset, write.valueLength, write.sequence, write.flags);
      }
      if (remember) state.recentWrites.set(write.key, write.sequence);
      state.visibleSequence = write.sequence;
    }
    this.#group = [];
    this.#overlay.clear();
  }

  /** Drops the writes of the group from index `from` on (their append or fsync failed). */
  #forget(from: number): void {
    this.#group.length = from;
    this.#overlay.clear();
    for (const write of this.#group) this.#overlay.set(write.key, write);
  }
}
