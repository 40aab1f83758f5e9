/**
 * Group commit. Every change (a set, a delete, a batch, a transaction's commit) enters
 * one queue, so sequence order is file order. The writes that arrive together (in the
 * same tick for `none` and `always`, before the next macrotask for `batch`) are encoded
 * into one buffer, appended with one call, and share one fsync; each promise resolves
 * only once its bytes are as durable as the store is configured to make them.
 *
 * The key directory changes as records are encoded, before the append, so a transaction
 * checked later in the same group sees the writes ahead of it. If the append or the
 * fsync fails, those changes are undone, the file is cut back to where the group began
 * (so the next successful fsync makes the cut durable too) and the writes reject with IO;
 * the store goes on working. Only when even that cut fails does it refuse further writes,
 * since what the file holds is then unknown.
 */
import type { StowageError } from '@stowage/core';
import type { FileHandle } from '@stowage/fs';
import { ioError } from './data-files.js';
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

interface Change {
  readonly prepare: PrepareChange;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The previous keydir entry of a key, so a failed write can be undone. */
interface UndoEntry {
  readonly key: string;
  readonly slot: readonly [number, number, number, number, number] | undefined;
}

export class CommitPipeline {
  readonly #state: StoreState;
  #pending: Change[] = [];
  #running = false;
  #idle: (() => void)[] = [];
  #failure: StowageError | undefined;

  constructor(state: StoreState) {
    this.#state = state;
  }

  /** Queues a change; resolves once its records are durable per the store's level. */
  submit(prepare: PrepareChange): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ prepare, resolve, reject });
      if (this.#running) return;
      this.#running = true;
      if (this.#state.settings.durability === 'batch') setImmediate(() => void this.#run());
      else queueMicrotask(() => void this.#run());
    });
  }

  /** Resolves once every queued change has settled. */
  drain(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #run(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const changes = this.#pending;
        this.#pending = [];
        await this.#commit(changes);
      }
    } finally {
      this.#running = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  async #commit(changes: readonly Change[]): Promise<void> {
    const state = this.#state;
    const undo: UndoEntry[] = [];
    const written: Change[] = [];
    /** Every file this group appended to, with its size before the group. */
    const dirty = new Map<FileHandle, number>();
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    let chunkChanges: Change[] = [];
    let chunkUndoFrom = 0;

    const appendChunk = (): void => {
      const handle = state.active.handle;
      if (chunkBytes > 0) {
        const before = handle.size();
        try {
          if (!dirty.has(handle)) dirty.set(handle, before);
          handle.append(chunk.length === 1 ? chunk[0]! : Buffer.concat(chunk, chunkBytes));
        } catch (error) {
          this.#undo(undo, chunkUndoFrom);
          try {
            handle.truncate(before);
          } catch (truncateError) {
            this.#failure = ioError(truncateError, handle.path, 'truncate a failed append of');
          }
          const failure = ioError(error, handle.path, 'append to');
          for (const change of chunkChanges) change.reject(failure);
          chunkChanges = [];
        }
      }
      written.push(...chunkChanges);
      chunk = [];
      chunkBytes = 0;
      chunkChanges = [];
      chunkUndoFrom = undo.length;
    };

    try {
      for (const change of changes) {
        if (this.#failure !== undefined) {
          change.reject(this.#failure);
          continue;
        }
        let records: readonly RecordInput[];
        try {
          records = change.prepare();
        } catch (error) {
          change.reject(error);
          continue;
        }
        const keyBytes: number[] = [];
        const valueBytes: number[] = [];
        let size = 0;
        for (const record of records) {
          const k = Buffer.byteLength(record.key, 'utf8');
          const value = record.value;
          const v =
            value === undefined ? 0 : typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
          keyBytes.push(k);
          valueBytes.push(v);
          size += RECORD_HEADER_SIZE + k + v;
        }
        const fileSize = state.active.handle.size() + chunkBytes;
        if (size > 0 && fileSize > FILE_HEADER_SIZE && fileSize + size > state.settings.maxFileSize) {
          appendChunk();
          if (this.#failure !== undefined) {
            change.reject(this.#failure);
            continue;
          }
          await this.#rotate();
        }
        const buffer = Buffer.allocUnsafe(size);
        const base = state.active.handle.size() + chunkBytes;
        const fileId = state.active.id;
        const timestamp = Date.now();
        let at = 0;
        for (let i = 0; i < records.length; i++) {
          const { key, value } = records[i]!;
          const k = keyBytes[i]!;
          const v = valueBytes[i]!;
          let flags = value === undefined ? FLAG_DELETED : typeof value === 'string' ? FLAG_STRING : 0;
          if (i > 0) flags |= FLAG_TXN_CONT;
          if (i < records.length - 1) flags |= FLAG_TXN_MORE;
          const sequence = ++state.lastSequence;
          writeRecord(buffer, at, flags, sequence, timestamp, key, k, value, v);
          this.#apply(undo, key, fileId, base + at + RECORD_HEADER_SIZE + k, v, sequence, flags);
          at += RECORD_HEADER_SIZE + k + v;
        }
        if (size > 0) {
          chunk.push(buffer);
          chunkBytes += size;
        }
        chunkChanges.push(change);
      }
      appendChunk();
      if (state.settings.durability !== 'none' && written.length > 0) {
        await Promise.all([...dirty.keys()].map((handle) => handle.sync()));
      }
    } catch (error) {
      // A failed fsync or file rotation: nothing of this group is known to be on disk.
      const failure = ioError(error, state.active.handle.path, 'fsync');
      this.#undo(undo, 0);
      for (const [handle, size] of dirty) {
        try {
          handle.truncate(size);
        } catch (truncateError) {
          this.#failure ??= ioError(truncateError, handle.path, 'cut back a failed group of');
        }
      }
      // Settling is idempotent: changes refused earlier keep their own error.
      for (const change of changes) change.reject(failure);
      return;
    }
    for (const change of written) change.resolve();
  }

  /** Closes the full active file (made durable first, so only the newest file can ever have a torn tail) and starts the next. */
  async #rotate(): Promise<void> {
    const previous = this.#state.active.handle;
    await previous.sync();
    // Left in `dirty`, so a failure later in this group also cuts its records back off.
    await startLogFile(this.#state);
  }

  #apply(
    undo: UndoEntry[],
    key: string,
    fileId: number,
    valueOffset: number,
    valueLength: number,
    sequence: number,
    flags: number,
  ): void {
    const state = this.#state;
    const keydir = state.keydir;
    const slot = keydir.slot(key);
    undo.push({
      key,
      slot:
        slot === undefined
          ? undefined
          : [
              keydir.file[slot]!,
              keydir.valueOffset[slot]!,
              keydir.valueLength[slot]!,
              keydir.sequence[slot]!,
              keydir.flags[slot]!,
            ],
    });
    if ((flags & FLAG_DELETED) !== 0) keydir.delete(key);
    else keydir.set(key, fileId, valueOffset, valueLength, sequence, flags & FLAG_STRING);
    if (state.openTransactions > 0) state.recentWrites.set(key, sequence);
  }

  #undo(undo: UndoEntry[], from: number): void {
    const keydir = this.#state.keydir;
    for (let i = undo.length - 1; i >= from; i--) {
      const { key, slot } = undo[i]!;
      if (slot === undefined) keydir.delete(key);
      else keydir.set(key, ...slot);
    }
    undo.length = from;
  }

  /** The error that stopped the pipeline, if a write failed past undoing. */
  get failure(): StowageError | undefined {
    return this.#failure;
  }
}
