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
 * (A minimal copy of the log engine's pipeline idea for a WAL; to be replaced by
 * @stowage/fs's GroupCommitQueue once it lands.)
 */
import type { EncodedValue, StowageError } from '@stowage/core';
import { type FileHandle, fileError } from '@stowage/fs';
import { ORIGIN } from './limits.js';
import { TOMBSTONE } from './segment-reader.js';
import type { StoreState } from './store-state.js';
import { encodeRecord, type WalOperation } from './wal-format.js';

/** Runs at the head of the queue, in WAL order: returns the operations to write, or throws to fail only this change. */
export type PrepareChange = () => readonly WalOperation[];

interface Change {
  readonly prepare: PrepareChange;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class WritePipeline {
  readonly #state: StoreState;
  /** Runs before each group: switches a full memtable, waits when flushes fall behind. */
  readonly #makeRoom: () => Promise<void>;
  #pending: Change[] = [];
  #running = false;
  #idle: (() => void)[] = [];
  #failure: StowageError | undefined;
  readonly #overlay = new Map<string, EncodedValue | undefined>();

  constructor(state: StoreState, makeRoom: () => Promise<void>) {
    this.#state = state;
    this.#makeRoom = makeRoom;
  }

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

  drain(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
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

  async #run(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const changes = this.#pending;
        this.#pending = [];
        try {
          await this.#commit(changes);
        } catch (error) {
          // Unexpected (a dead handle, a bug): no change may wait for ever. Settling twice is harmless.
          this.#overlay.clear();
          for (const change of changes) change.reject(error);
        }
      }
    } finally {
      this.#running = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  async #commit(changes: readonly Change[]): Promise<void> {
    const state = this.#state;
    try {
      await this.#makeRoom();
    } catch (error) {
      for (const change of changes) change.reject(error);
      return;
    }
    const records: Buffer[] = [];
    const groups: (readonly WalOperation[])[] = [];
    const written: Change[] = [];
    let bytes = 0;
    for (const change of changes) {
      if (this.#failure !== undefined) {
        change.reject(this.#failure);
        continue;
      }
      let operations: readonly WalOperation[];
      try {
        operations = change.prepare();
      } catch (error) {
        change.reject(error);
        continue;
      }
      if (operations.length > 0) {
        const record = encodeRecord(operations);
        records.push(record);
        bytes += record.length;
        groups.push(operations);
        for (const { key, value } of operations) this.#overlay.set(key, value);
      }
      written.push(change);
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
        this.#overlay.clear();
        this.#cutBack(wal, before);
        const failure = fileError(error, { origin: ORIGIN, file: wal.path, action: 'append to the WAL' });
        for (const change of written) change.reject(failure);
        return;
      }
      state.counters.walBytes += bytes;
    }
    for (const operations of groups) {
      for (const { key, value } of operations) memtable.write(key, value);
    }
    // Key and value bytes: the records less their headers.
    state.counters.userBytes += bytes - 12 * groups.length - 9 * operationCount(groups);
    this.#overlay.clear();
    for (const change of written) change.resolve();
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
