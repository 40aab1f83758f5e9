/**
 * The view a transaction body works with: reads see the store as of the snapshot
 * sequence number taken when the transaction began, plus the transaction's own writes;
 * writes are buffered until commit. Every key read or written is remembered, so the
 * commit can refuse with CONFLICT when any of them changed after the snapshot. Core's
 * AbstractTransaction owns the checks, the "over" error and the body's error.
 */
import { AbstractTransaction, type BackendSupports, type EncodedValue } from '@stowage/core';
import { ORIGIN } from './errors.js';

/** What a transaction needs from its store. */
export interface TransactionHost {
  /** The store's key and value limits. */
  readonly limits: Pick<BackendSupports, 'maxKeyBytes' | 'maxValueBytes'>;
  /** The value of `key` as of sequence `snapshot`. */
  readAt(key: string, snapshot: number): EncodedValue | undefined;
  /** Commits the buffered writes, or throws CONFLICT (see LogBackend). */
  commit(tx: LogTransaction): Promise<void>;
}

export class LogTransaction extends AbstractTransaction {
  readonly snapshot: number;
  /** Keys whose snapshot value the body saw. */
  readonly reads = new Set<string>();
  /** Buffered writes in call order; undefined deletes. */
  readonly writes = new Map<string, EncodedValue | undefined>();
  readonly #host: TransactionHost;

  constructor(host: TransactionHost, snapshot: number) {
    super(ORIGIN, host.limits);
    this.#host = host;
    this.snapshot = snapshot;
  }

  protected _get(key: string): EncodedValue | undefined {
    return this.#view(key);
  }

  protected _set(key: string, value: EncodedValue): void {
    this.writes.delete(key); // keep call order: the newest write of a key goes last
    this.writes.set(key, value);
  }

  protected _delete(key: string): boolean {
    const present = this.#view(key) !== undefined;
    this.writes.delete(key);
    this.writes.set(key, undefined);
    return present;
  }

  protected _commit(): Promise<void> {
    return this.writes.size === 0 ? Promise.resolve() : this.#host.commit(this);
  }

  #view(key: string): EncodedValue | undefined {
    if (this.writes.has(key)) return this.writes.get(key);
    this.reads.add(key);
    return this.#host.readAt(key, this.snapshot);
  }
}
