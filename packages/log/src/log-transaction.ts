/**
 * The view a transaction body works with: reads see the store as of the snapshot
 * sequence number taken when the transaction began, plus the transaction's own writes;
 * writes are buffered until commit. Every key read or written is remembered, so the
 * commit can refuse with CONFLICT when any of them changed after the snapshot.
 */
import { type BackendTransaction, type EncodedValue, StowageError, type WriteOptions } from '@stowage/core';
import { ORIGIN } from './limits.js';

/** What a transaction needs from its store. */
export interface TransactionHost {
  checkKey(key: unknown): asserts key is string;
  checkValue(value: unknown, key: string): asserts value is EncodedValue;
  /** The value of `key` as of sequence `snapshot`. */
  readAt(key: string, snapshot: number): EncodedValue | undefined;
}

export class LogTransaction implements BackendTransaction {
  readonly snapshot: number;
  /** Keys whose snapshot value the body saw. */
  readonly reads = new Set<string>();
  /** Buffered writes in call order; undefined deletes. */
  readonly writes = new Map<string, EncodedValue | undefined>();
  readonly #host: TransactionHost;
  #finished = false;

  constructor(host: TransactionHost, snapshot: number) {
    this.#host = host;
    this.snapshot = snapshot;
  }

  async get(key: string): Promise<EncodedValue | undefined> {
    this.#assertActive();
    this.#host.checkKey(key);
    return this.#view(key);
  }

  async set(key: string, value: EncodedValue, _options?: WriteOptions): Promise<void> {
    this.#assertActive();
    this.#host.checkKey(key);
    this.#host.checkValue(value, key);
    this.writes.delete(key); // keep call order: the newest write of a key goes last
    this.writes.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    this.#assertActive();
    this.#host.checkKey(key);
    const present = this.#view(key) !== undefined;
    this.writes.delete(key);
    this.writes.set(key, undefined);
    return present;
  }

  /** Ends the transaction: later calls on it fail. */
  finish(): void {
    this.#finished = true;
  }

  #view(key: string): EncodedValue | undefined {
    if (this.writes.has(key)) return this.writes.get(key);
    this.reads.add(key);
    return this.#host.readAt(key, this.snapshot);
  }

  #assertActive(): void {
    if (this.#finished) {
      throw new StowageError('INVALID_ARGUMENT', 'this transaction has already committed or aborted', {
        origin: ORIGIN,
      });
    }
  }
}

/** Conflict for `key`, changed by another commit after the snapshot. */
export function conflictError(key: string): StowageError {
  return new StowageError('CONFLICT', `"${key}" was changed by another commit after this transaction began`, {
    origin: ORIGIN,
    key,
  });
}

export interface RetryOptions {
  /** How many times the body runs at most (default 10). */
  readonly attempts?: number;
}

/** Runs `body` in a transaction of `backend`, again from the start while it loses with CONFLICT. */
export async function retryTransaction<T, Tx>(
  backend: { transaction(body: (tx: Tx) => Promise<T>): Promise<T> },
  body: (tx: Tx) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      return await backend.transaction(body);
    } catch (error) {
      if (!StowageError.is(error, 'CONFLICT') || attempt >= attempts) throw error;
    }
  }
}
