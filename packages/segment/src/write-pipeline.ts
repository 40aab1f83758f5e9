/**
 * Group commit into the WAL. Every change enters one queue; the changes that arrive
 * together (before the next macrotask for `batch`, in the same tick otherwise) are
 * encoded as one record each, appended with one call and share one fsync. The memtable
 * changes only once the group is durable, just before its promises resolve, so no reader
 * sees a write a power cut could take back; meanwhile an overlay answers the changes
 * queued behind it (a delete must know the key was just set). A failed append or fsync
 * cuts the WAL back to where the group began, rejects the group with IO, and the store
 * goes on; only a failed cut stops further writes.
 *
 * The queueing (gathering a group, one group at a time, settling each change) is
 * @stowage/fs's GroupCommitQueue; this file keeps only what is the WAL's own: prepare in
 * order, the overlay, append + fsync, cut back, apply to the memtable.
 */
import type { EncodedValue, StowageError } from '@stowage/core';
import { type BatchControl, type FileHandle, fileError, GroupCommitQueue } from '@stowage/fs';
import { ORIGIN } from './errors.js';
import { TOMBSTONE } from './segment-reader.js';
import type { StoreState } from './store-state.js';
import { encodeRecord, type WalOperation } from './wal-format.js';

/** Runs at the head of the queue, in WAL order: returns the operations to write, or throws to fail only this change. */
export type PrepareChange = () => readonly WalOperation[];

export class WritePipeline {
  readonly #state: StoreState;
  /** Runs before each group: switches a full memtable, waits when flushes fall behind. */
  readonly #makeRoom: () => Promise<void>;
  readonly #queue: GroupCommitQueue<PrepareChange>;
  #failure: StowageError | undefined;
  readonly #overlay = new Map<string, EncodedValue | undefined>();

  constructor(state: StoreState, makeRoom: () => Promise<void>) {
    this.#state = state;
    this.#makeRoom = makeRoom;
    this.#queue = new GroupCommitQueue<PrepareChange>({
      // `batch` waits a macrotask for company; `always` and `none` commit what this tick queued.
      gather: state.settings.durability === 'batch' ? 'immediate' : 'microtask',
      commit: async (changes, batch) => {
        try {
          await this.#commit(changes, batch);
        } finally {
          // Whatever happened, nothing queued ahead is pending any more.
          this.#overlay.clear();
        }
      },
    });
  }

  submit(prepare: PrepareChange): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return this.#queue.enqueue(prepare);
  }

  drain(): Promise<void> {
    return this.#queue.idle();
  }

  get failure(): StowageError | undefined {
    return this.#failure;
  }

  /** Keys with a write queued ahead of the change being prepared, and the value it writes. */
  get overlay(): ReadonlyMap<string, EncodedValue | undefined> {
    return this.#overlay;
  }

  /** True when `key` is present once every write queued ahead is applied. */
  has(key: string): boolean {
    if (this.#overlay.has(key)) return this.#overlay.get(key) !== undefined;
    const found = this.#state.lookup(key);
    return found !== undefined && found !== TOMBSTONE;
  }

  /** Commits one group; a throw rejects every change of it (the queue settles them). */
  async #commit(changes: readonly PrepareChange[], batch: BatchControl): Promise<void> {
    const state = this.#state;
    // A failure here (nothing written yet) fails the whole group.
    await this.#makeRoom();
    const records: Buffer[] = [];
    const groups: (readonly WalOperation[])[] = [];
    let bytes = 0;
    for (const [index, prepare] of changes.entries()) {
      if (this.#failure !== undefined) {
        batch.fail(index, this.#failure);
        continue;
      }
      let operations: readonly WalOperation[];
      try {
        operations = prepare();
      } catch (error) {
        batch.fail(index, error);
        continue;
      }
      if (operations.length > 0) {
        const record = encodeRecord(operations);
        records.push(record);
        bytes += record.length;
        groups.push(operations);
        for (const { key, value } of operations) this.#overlay.set(key, value);
      }
    }
    // Captured before any await: the group belongs to this WAL and this memtable, even if a
    // switch were to happen while the fsync runs.
    const wal = state.wal!;
    const memtable = state.active;
    if (bytes > 0) {
      const before = wal.size();
      try {
        wal.append(records.length === 1 ? records[0]! : Buffer.concat(records, bytes));
        if (state.settings.durability !== 'none') await wal.sync();
      } catch (error) {
        this.#cutBack(wal, before);
        throw fileError(error, { origin: ORIGIN, file: wal.path, action: 'append to the WAL' });
      }
      state.counters.walBytes += bytes;
    }
    for (const operations of groups) {
      for (const { key, value } of operations) memtable.write(key, value);
    }
    // Key and value bytes: the records less their headers.
    state.counters.userBytes += bytes - 12 * groups.length - 9 * operationCount(groups);
  }

  #cutBack(wal: FileHandle, size: number): void {
    try {
      wal.truncate(size);
    } catch (error) {
      this.#failure = fileError(error, { origin: ORIGIN, file: wal.path, action: 'cut back a failed write to' });
    }
  }
}

function operationCount(groups: readonly (readonly WalOperation[])[]): number {
  let count = 0;
  for (const operations of groups) count += operations.length;
  return count;
}
