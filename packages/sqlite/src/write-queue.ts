/**
 * Group commit for single writes. Every autocommit write is its own SQLite transaction
 * (a WAL append, and an fsync with `synchronous = FULL`), so writes that arrive in the same
 * turn of the event loop (10,000 `set` calls started at once, or a PersistentMap flushing
 * writes to different keys) are queued and committed together in one transaction at the
 * end of the turn; each caller's promise settles when that transaction did.
 *
 * Call order is kept: every other operation of the backend drains the queue first
 * (synchronously), so a read issued after a write, awaited or not, sees it.
 */
import type { BatchOperation } from '@stowage/core';

interface PendingWrite {
  readonly operation: BatchOperation;
  resolve(changes: number): void;
  reject(error: unknown): void;
}

export class WriteQueue {
  readonly #writeOne: (operation: BatchOperation) => number;
  readonly #writeAll: (operations: BatchOperation[]) => number[];
  readonly #retryAlone: (error: unknown) => boolean;
  #pending: PendingWrite[] = [];

  /**
   * @param writeOne runs one write in its own transaction; returns the rows it changed.
   * @param writeAll runs every write in one transaction, all or nothing; returns each one's changes.
   * @param retryAlone whether a group that failed with `error` is retried write by write, so
   *   only the write at fault fails (not for a lock timeout, which would be waited out again
   *   by every write).
   */
  constructor(
    writeOne: (operation: BatchOperation) => number,
    writeAll: (operations: BatchOperation[]) => number[],
    retryAlone: (error: unknown) => boolean,
  ) {
    this.#writeOne = writeOne;
    this.#writeAll = writeAll;
    this.#retryAlone = retryAlone;
  }

  /** Queues `operation`; resolves with the number of rows it changed once it is committed. */
  write(operation: BatchOperation): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (this.#pending.length === 0) queueMicrotask(() => this.drain());
      this.#pending.push({ operation, resolve, reject });
    });
  }

  /** Commits every queued write now. */
  drain(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    if (batch.length === 1) {
      this.#alone(batch[0]!);
      return;
    }
    let changes: number[];
    try {
      changes = this.#writeAll(batch.map((pending) => pending.operation));
    } catch (error) {
      // The group was rolled back as a whole; find out which write was at fault.
      if (this.#retryAlone(error)) for (const pending of batch) this.#alone(pending);
      else for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, index) => {
      pending.resolve(changes[index]!);
    });
  }

  #alone(pending: PendingWrite): void {
    try {
      pending.resolve(this.#writeOne(pending.operation));
    } catch (error) {
      pending.reject(error);
    }
  }
}
