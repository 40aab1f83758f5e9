/**
 * One optimistic transaction of MemoryBackend: reads see the snapshot taken at its start
 * plus its own writes; it records what it read and wrote so the backend can detect, at
 * commit, that another write touched the same keys after the snapshot.
 */
import { type BackendTransaction, type EncodedValue, StowageError, type WriteOptions } from '@stowage/core';

export interface PendingWrite {
  readonly value: EncodedValue;
  readonly expiresAt: number | undefined;
}

export interface TransactionStore {
  /** The value of `key` as of write `snapshot`. */
  read(key: string, snapshot: number): EncodedValue | undefined;
  checkKey(key: unknown): void;
  checkValue(value: unknown, key: string): void;
}

export class MemoryTransaction implements BackendTransaction {
  /** Keys read from the snapshot (not from the transaction's own writes). */
  readonly reads = new Set<string>();
  /** Own writes in order; undefined is a deletion. */
  readonly writes = new Map<string, PendingWrite | undefined>();
  #finished = false;

  constructor(
    readonly snapshot: number,
    private readonly store: TransactionStore,
  ) {}

  async get(key: string): Promise<EncodedValue | undefined> {
    this.check(key);
    if (this.writes.has(key)) return this.writes.get(key)?.value;
    this.reads.add(key);
    return this.store.read(key, this.snapshot);
  }

  async set(key: string, value: EncodedValue, options: WriteOptions = {}): Promise<void> {
    this.check(key);
    this.store.checkValue(value, key);
    this.writes.set(key, {
      value: value instanceof Uint8Array ? new Uint8Array(value) : value,
      expiresAt: options.expiresAt,
    });
  }

  async delete(key: string): Promise<boolean> {
    const present = (await this.get(key)) !== undefined;
    this.writes.set(key, undefined);
    return present;
  }

  /** Called by the backend once the transaction committed or failed. */
  finish(): void {
    this.#finished = true;
  }

  private check(key: string): void {
    if (this.#finished) {
      throw new StowageError('INVALID_ARGUMENT', 'this transaction has already finished', {
        origin: '@stowage/memory',
      });
    }
    this.store.checkKey(key);
  }
}
