/**
 * One optimistic transaction of MemoryBackend: reads see the snapshot taken at its start
 * plus its own writes; it records what it read and wrote so the backend can detect, at
 * commit, that another write touched the same keys after the snapshot. Argument checks,
 * the finished-guard and the body's error are core's (AbstractTransaction).
 */
import {
  AbstractTransaction,
  type BackendSupports,
  type EncodedValue,
  type ExpiringValue,
  type WriteOptions,
} from '@stowage/core';
import { origin } from './options.js';

export interface PendingWrite {
  readonly value: EncodedValue;
  readonly expiresAt: number | undefined;
}

/** What a transaction needs from its backend. */
export interface TransactionStore {
  /** The entry of `key` as of write `snapshot` (a copy the transaction may hand out). */
  read(key: string, snapshot: number): PendingWrite | undefined;
  /** Applies `tx`'s writes in one synchronous step, or throws CONFLICT. */
  commit(tx: MemoryTransaction): void;
}

export class MemoryTransaction extends AbstractTransaction {
  /** Keys read from the snapshot (not from the transaction's own writes). */
  readonly reads = new Set<string>();
  /** Own writes in order; undefined is a deletion. */
  readonly writes = new Map<string, PendingWrite | undefined>();

  constructor(
    readonly snapshot: number,
    private readonly store: TransactionStore,
    limits: Pick<BackendSupports, 'maxKeyBytes' | 'maxValueBytes'>,
  ) {
    super(origin, limits);
  }

  protected _get(key: string): EncodedValue | undefined {
    return this.entry(key)?.value;
  }

  protected override _getWithExpiry(key: string): ExpiringValue | undefined {
    return this.entry(key);
  }

  protected _set(key: string, value: EncodedValue, options: WriteOptions): void {
    this.writes.set(key, { value: copy(value), expiresAt: options.expiresAt });
  }

  protected _delete(key: string): boolean {
    const present = this.entry(key) !== undefined;
    this.writes.set(key, undefined);
    return present;
  }

  protected _commit(): void {
    this.store.commit(this);
  }

  /** `key` as this transaction sees it: its own write, else the snapshot (recorded as read). */
  private entry(key: string): PendingWrite | undefined {
    if (this.writes.has(key)) {
      const write = this.writes.get(key);
      return write && { value: copy(write.value), expiresAt: write.expiresAt };
    }
    this.reads.add(key);
    return this.store.read(key, this.snapshot);
  }
}

/** Bytes are copied in and out, so a caller mutating its buffer never changes the store. */
export function copy<T extends EncodedValue | undefined>(value: T): T {
  return (value instanceof Uint8Array ? new Uint8Array(value) : value) as T;
}
