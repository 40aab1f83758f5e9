/**
 * The reference engine: a Map of entries plus a lazily sorted key array, every fast path,
 * native TTL, and optimistic transactions. It exists to be obviously correct, so the
 * conformance kit can be checked against it; it keeps nothing across a restart.
 */
import {
  AbstractBackend,
  type BackendTransaction,
  type BatchOperation,
  compareKeys,
  type EncodedValue,
  type ExpiringValue,
  keysWithin,
  type RangeOptions,
  StowageError,
  type WriteOptions,
} from '@stowage/core';
import { copy, MemoryTransaction } from './memory-transaction.js';
import { type MemoryBackendOptions, origin, resolveOptions } from './options.js';

interface Entry {
  readonly value: EncodedValue;
  readonly expiresAt: number | undefined;
}

/** A write recorded while transactions run: the state of `key` before write `sequence`. */
interface UndoRecord {
  readonly sequence: number;
  readonly key: string;
  readonly before: Entry | undefined;
}

export class MemoryBackend extends AbstractBackend {
  readonly name = 'memory';
  readonly #data = new Map<string, Entry>();
  /** Keys that carry an expiry, so a sweep never scans the whole store. */
  readonly #expiring = new Set<string>();
  /**
   * Every key in code-point order, or undefined when it must be rebuilt. It is replaced,
   * never reordered in place, so an iterator holding the old array stays valid; deleted
   * keys may linger in it and are skipped.
   */
  #sorted: string[] | undefined = [];
  #lingering = 0;
  /** Monotonic write sequence: transactions take their snapshot by it, never by clock. */
  #sequence = 0;
  /** Undo log of the writes after the oldest running transaction's snapshot; empty when none runs. */
  #undo: UndoRecord[] = [];
  /** Snapshots of the running transactions, oldest first. */
  #snapshots: number[] = [];

  constructor(options?: MemoryBackendOptions) {
    super(origin, {
      persistent: false,
      orderedIteration: true,
      atomicBatch: true,
      transactions: true,
      nativeTtl: true,
      storesExpiry: true,
      // Nothing survives the process, so no durability level is claimed.
      durability: [],
      ...resolveOptions(options),
    });
  }

  protected async _open(): Promise<void> {}
  protected async _close(): Promise<void> {}

  protected _get(key: string): EncodedValue | undefined {
    return copy(this.#data.get(key)?.value);
  }

  protected override _getWithExpiry(key: string): ExpiringValue | undefined {
    return copyEntry(this.#data.get(key));
  }

  protected override async *_entriesWithExpiry(range: RangeOptions): AsyncIterable<[string, ExpiringValue]> {
    for (const key of this.rangeKeys(range)) {
      const entry = this.#data.get(key); // read live, as _entries
      if (entry) yield [key, { value: copy(entry.value), expiresAt: entry.expiresAt }];
    }
  }

  protected async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    this.write(key, { value: copy(value), expiresAt: options.expiresAt });
  }

  protected async _delete(key: string): Promise<boolean> {
    const present = this.#data.has(key);
    if (present) this.write(key, undefined);
    return present;
  }

  protected async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    for (const key of this.rangeKeys(range)) {
      const entry = this.#data.get(key); // read live: a key deleted meanwhile is skipped
      if (entry) yield [key, copy(entry.value)];
    }
  }

  protected override async *_keys(range: RangeOptions): AsyncIterable<string> {
    for (const key of this.rangeKeys(range)) if (this.#data.has(key)) yield key;
  }

  protected override _has(key: string): boolean {
    return this.#data.has(key);
  }

  protected override _getMany(keys: readonly string[]): (EncodedValue | undefined)[] {
    return keys.map((key) => copy(this.#data.get(key)?.value));
  }

  /** Synchronous, so no other call can run between two of its operations: all or nothing. */
  protected override async _apply(operations: readonly BatchOperation[]): Promise<void> {
    for (const operation of operations) {
      if (operation.type === 'set') {
        this.write(operation.key, { value: copy(operation.value), expiresAt: operation.expiresAt });
      } else if (this.#data.has(operation.key)) {
        this.write(operation.key, undefined);
      }
    }
  }

  protected override async _size(): Promise<number> {
    return this.#data.size;
  }

  protected override async _clear(range: RangeOptions): Promise<void> {
    for (const key of [...this.rangeKeys(range)]) if (this.#data.has(key)) this.write(key, undefined);
  }

  /** Only keys with an expiry are visited (see #expiring). */
  protected override async _sweepExpired(now: number): Promise<number> {
    let swept = 0;
    for (const key of [...this.#expiring]) {
      const expiresAt = this.#data.get(key)?.expiresAt;
      if (expiresAt !== undefined && expiresAt <= now) {
        this.write(key, undefined);
        swept++;
      }
    }
    return swept;
  }

  protected override async _transaction<T>(body: (tx: BackendTransaction) => Promise<T>): Promise<T> {
    const snapshot = this.#sequence;
    this.#snapshots.push(snapshot);
    const tx = new MemoryTransaction(
      snapshot,
      { read: (key, at) => copyEntry(this.readAt(key, at)), commit: (done) => this.commit(done) },
      this.supports,
    );
    try {
      return await tx.execute(body);
    } finally {
      this.#snapshots.splice(this.#snapshots.indexOf(snapshot), 1);
      // Records at or before the oldest snapshot still running can no longer matter.
      const oldest = this.#snapshots[0] ?? this.#sequence;
      const keep = this.#undo.findIndex((record) => record.sequence > oldest);
      this.#undo = keep < 0 ? [] : this.#undo.slice(keep);
    }
  }

  // ---- below: internals ----

  /** Validates and applies a transaction's writes in one synchronous step. */
  private commit(tx: MemoryTransaction): void {
    if (tx.writes.size === 0) return; // a read-only snapshot is always consistent
    const watched = new Set([...tx.reads, ...tx.writes.keys()]);
    for (const record of this.#undo) {
      if (record.sequence > tx.snapshot && watched.has(record.key)) {
        throw new StowageError('CONFLICT', `a concurrent write changed ${JSON.stringify(record.key)}`, {
          origin: this.origin,
          key: record.key,
        });
      }
    }
    for (const [key, write] of tx.writes) {
      if (write) this.write(key, { value: copy(write.value), expiresAt: write.expiresAt });
      else if (this.#data.has(key)) this.write(key, undefined);
    }
  }

  /** The only place the store changes: sets `key` to `entry`, or deletes it when undefined. */
  private write(key: string, entry: Entry | undefined): void {
    const before = this.#data.get(key);
    this.#sequence++;
    if (this.#snapshots.length > 0) this.#undo.push({ sequence: this.#sequence, key, before });
    if (entry === undefined) {
      this.#data.delete(key);
      this.#expiring.delete(key);
      // A deleted key lingers in the sorted array; rebuild once they outnumber live keys.
      if (this.#sorted !== undefined && ++this.#lingering > this.#data.size) this.#sorted = undefined;
      return;
    }
    this.#data.set(key, entry);
    if (entry.expiresAt === undefined) this.#expiring.delete(key);
    else this.#expiring.add(key);
    if (before !== undefined || this.#sorted === undefined) return;
    // Appending in order is common (sequential ids) and keeps the array valid; anything
    // else marks it for a rebuild. A re-set key that lingers in the array also rebuilds.
    const last = this.#sorted.at(-1);
    if (last === undefined || compareKeys(key, last) > 0) this.#sorted.push(key);
    else this.#sorted = undefined;
  }

  /** The entry of `key` as it was after write `snapshot`, undoing later writes. */
  private readAt(key: string, snapshot: number): Entry | undefined {
    let entry = this.#data.get(key);
    for (let i = this.#undo.length - 1; i >= 0; i--) {
      const record = this.#undo[i]!;
      if (record.sequence <= snapshot) break;
      if (record.key === key) entry = record.before;
    }
    return entry;
  }

  /** Keys of the sorted array within `range`, in the asked order (limit is applied by the caller). */
  private rangeKeys(range: RangeOptions): Generator<string> {
    if (this.#sorted === undefined) {
      this.#sorted = [...this.#data.keys()].sort(compareKeys);
      this.#lingering = 0;
    }
    return keysWithin(this.#sorted, range);
  }
}

/** An entry as the store hands it out: bytes copied, so the caller cannot change the store. */
function copyEntry(entry: Entry | undefined): ExpiringValue | undefined {
  return entry && { value: copy(entry.value), expiresAt: entry.expiresAt };
}
