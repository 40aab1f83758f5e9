/**
 * Exact mode: a membership maplet in front of another Stowage backend. The inner backend
 * holds every entry; the maplet holds one fingerprint per key, so a read of an absent key
 * is answered "absent" from memory with probability 1 − ε and never touches the inner
 * store, while every answer stays exact (a maybe is checked against the inner store).
 *
 * The invariant: every key the inner store holds has at least one entry in the current
 * maplet. A set adds the entry before the inner write; a delete removes one entry after
 * the inner delete said the key was there; both hold the key's lock, so one key's changes
 * never interleave. Extra entries (a key set twice in a race, or left by a rebuild) only
 * cost false positives, never false negatives. The maplet is rebuilt from the inner keys
 * at open and by `rebuild()` (the maintenance: resize to the current count, drop extras).
 *
 * Values carry their TTL in core's envelope, so an expiry survives any restart of any
 * inner engine; a value whose expiry has come is answered absent (never early).
 */
import {
  type BatchOperation,
  type EncodedValue,
  type RangeOptions,
  type StorageBackend,
  unwrap,
  type WriteOptions,
  wrap,
} from '@stowage/core';
import { KeyLocks } from './key-locks.js';
import { Maplet } from './maplet.js';
import type { MapletOptions } from './maplet-config.js';

export interface ExactCounters {
  /** Reads of absent keys the maplet answered without the inner store. */
  filteredReads: number;
  /** Reads that went to the inner store (present keys and false positives). */
  innerReads: number;
  /** Inner reads that found nothing: the false positives met in use. */
  falsePositiveReads: number;
  rebuilds: number;
}

export class ExactFront {
  readonly inner: StorageBackend;
  readonly #options: MapletOptions;
  #maplet: Maplet;
  readonly #locks = new KeyLocks();
  /** Keys with a set in flight (a rebuild must not miss them). */
  readonly #pendingSets = new Map<string, number>();
  /** While a rebuild scans: every key set since it began. */
  #journal: Set<string> | undefined;
  #rebuilding: Promise<void> | undefined;
  readonly counters: ExactCounters = { filteredReads: 0, innerReads: 0, falsePositiveReads: 0, rebuilds: 0 };

  constructor(inner: StorageBackend, options: MapletOptions) {
    this.inner = inner;
    this.#options = { ...options, valueBits: 0, merge: 'or' };
    this.#maplet = new Maplet(this.#options);
  }

  get maplet(): Maplet {
    return this.#maplet;
  }

  async open(): Promise<void> {
    await this.inner.open();
    await this.rebuild();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Builds a fresh maplet sized for the inner store's keys, then swaps it in. */
  rebuild(): Promise<void> {
    this.#rebuilding ??= (async () => {
      const journal = new Set(this.#pendingSets.keys());
      this.#journal = journal;
      try {
        const count = await this.inner.size!();
        const fresh = new Maplet({ ...this.#options, capacity: Math.max(1024, Math.ceil(count * 1.1)) });
        for await (const key of this.inner.keys!()) fresh.insert(key);
        for (const key of journal) fresh.insert(key);
        this.#maplet = fresh;
        this.counters.rebuilds++;
      } finally {
        this.#journal = undefined;
        this.#rebuilding = undefined;
      }
    })();
    return this.#rebuilding;
  }

  // ---- reads ----

  get(key: string): Promise<EncodedValue | undefined> | undefined {
    if (!this.#maplet.has(key)) {
      this.counters.filteredReads++;
      return undefined;
    }
    this.counters.innerReads++;
    return this.inner.get(key).then((stored) => this.#visible(stored));
  }

  has(key: string): Promise<boolean> | boolean {
    const value = this.get(key);
    return value === undefined ? false : value.then((found) => found !== undefined);
  }

  async getMany(keys: readonly string[]): Promise<(EncodedValue | undefined)[]> {
    const results: (EncodedValue | undefined)[] = new Array(keys.length);
    const maybe: string[] = [];
    const where: number[] = [];
    keys.forEach((key, index) => {
      if (this.#maplet.has(key)) {
        maybe.push(key);
        where.push(index);
      } else {
        this.counters.filteredReads++;
      }
    });
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a fast path: asking the inner store for no keys answers nothing and counts no read
    if (maybe.length > 0) {
      this.counters.innerReads += maybe.length;
      const found = await this.inner.getMany!(maybe);
      found.forEach((stored, i) => {
        results[where[i]!] = this.#visible(stored);
      });
    }
    return results;
  }

  #visible(stored: EncodedValue | undefined): EncodedValue | undefined {
    if (stored === undefined) {
      this.counters.falsePositiveReads++;
      return undefined;
    }
    const { payload, expiresAt } = unwrap(stored);
    return hasExpired(expiresAt, Date.now()) ? undefined : payload;
  }

  // ---- writes ----

  set(key: string, value: EncodedValue, options: WriteOptions, expiresAt?: number): Promise<void> {
    return this.#locks.run([key], () =>
      this.#setting([key], async () => {
        await this.#ensureEntry(key);
        await this.inner.set(key, wrap(value, expiresAt), options);
      }),
    );
  }

  delete(key: string): Promise<boolean> {
    return this.#locks.run([key], async () => {
      const maplet = this.#maplet;
      const stored = maplet.has(key) ? await this.inner.get(key) : undefined;
      if (stored === undefined) return false;
      const existed = await this.inner.delete(key);
      if (existed) maplet.delete(key);
      const { expiresAt } = unwrap(stored);
      return existed && !hasExpired(expiresAt, Date.now());
    });
  }

  /** All or nothing where the inner store's batches are atomic; the maplet follows what the batch did. */
  apply(operations: readonly BatchOperation[]): Promise<void> {
    const keys = operations.map((operation) => operation.key);
    const setKeys = operations.filter((operation) => operation.type === 'set').map((operation) => operation.key);
    return this.#locks.run(keys, () =>
      this.#setting(setKeys, async () => {
        const maplet = this.#maplet;
        const present = new Map<string, boolean>();
        for (const key of new Set(keys)) present.set(key, maplet.has(key) && (await this.inner.has!(key)));
        const final = new Map(present);
        for (const operation of operations) final.set(operation.key, operation.type === 'set');
        // Entries first for keys the batch creates, so no reader can miss them.
        for (const [key, now] of final) if (now && !present.get(key)) maplet.insert(key);
        await this.inner.apply!(
          operations.map((operation) =>
            operation.type === 'set'
              ? {
                  type: 'set',
                  key: operation.key,
                  value: wrap(operation.value, undefined),
                  ...expiry(operation.expiresAt),
                }
              : operation,
          ),
        );
        for (const [key, now] of final) if (!now && present.get(key)) maplet.delete(key);
      }),
    );
  }

  async clear(range: RangeOptions): Promise<void> {
    await this.inner.clear!(range);
    await this.rebuild();
  }

  /** Gives `key` an entry in the maplet unless the inner store already has it (then it has one). */
  async #ensureEntry(key: string): Promise<void> {
    const maplet = this.#maplet;
    if (maplet.has(key) && (await this.inner.has!(key))) return;
    maplet.insert(key);
  }

  /** Marks `keys` as being set for the duration of `body`, so a rebuild includes them. */
  async #setting<T>(keys: readonly string[], body: () => Promise<T>): Promise<T> {
    for (const key of keys) {
      this.#pendingSets.set(key, (this.#pendingSets.get(key) ?? 0) + 1);
      this.#journal?.add(key);
    }
    try {
      return await body();
    } finally {
      for (const key of keys) {
        const left = this.#pendingSets.get(key)! - 1;
        if (left === 0) this.#pendingSets.delete(key);
        else this.#pendingSets.set(key, left);
      }
    }
  }

  // ---- iteration (exact: the inner store's keys) ----

  async *entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    const now = Date.now();
    for await (const [key, stored] of this.inner.entries(withoutLimit(range))) {
      const { payload, expiresAt } = unwrap(stored);
      if (!hasExpired(expiresAt, now)) yield [key, payload];
    }
  }

  // ---- TTL (Mappy's expire / ttl / persist / expire many / keys with a TTL) ----

  /** Sets `key` to expire at `expiresAt` (ms since the epoch), or never; false when absent. */
  setExpiry(key: string, expiresAt: number | undefined): Promise<boolean> {
    return this.#locks.run([key], async () => {
      const value = await this.get(key);
      if (value === undefined) return false;
      await this.inner.set(key, wrap(value, expiresAt), expiresAt === undefined ? {} : { expiresAt });
      return true;
    });
  }

  /** The expiry of `key` in ms since the epoch: undefined when absent, null when it never expires. */
  async expiryOf(key: string): Promise<number | null | undefined> {
    if (!this.#maplet.has(key)) return undefined;
    const stored = await this.inner.get(key);
    if (stored === undefined) return undefined;
    const { expiresAt } = unwrap(stored);
    if (expiresAt === undefined) return null;
    return expiresAt <= Date.now() ? undefined : expiresAt;
  }

  /** Keys with a TTL still to come, with their expiry. */
  async *keysWithTtl(): AsyncIterable<[string, number]> {
    const now = Date.now();
    for await (const [key, stored] of this.inner.entries()) {
      const { expiresAt } = unwrap(stored);
      if (expiresAt !== undefined && !hasExpired(expiresAt, now)) yield [key, expiresAt];
    }
  }

  /** Deletes every entry whose expiry is at or before `now`; returns how many. */
  async sweep(now: number): Promise<number> {
    const expired: string[] = [];
    for await (const [key, stored] of this.inner.entries()) {
      const { expiresAt } = unwrap(stored);
      if (hasExpired(expiresAt, now)) expired.push(key);
    }
    let removed = 0;
    for (const key of expired) {
      const gone = await this.#locks.run([key], async () => {
        const stored = await this.inner.get(key);
        const expiresAt = stored === undefined ? undefined : unwrap(stored).expiresAt;
        if (!hasExpired(expiresAt, now)) return false; // rewritten since the scan
        const maplet = this.#maplet;
        if (await this.inner.delete(key)) maplet.delete(key);
        return true;
      });
      if (gone) removed++;
    }
    return removed;
  }
}

/** Whether an entry expiring at `expiresAt` (undefined: never) is gone at `now`: from its expiry on, never before. */
function hasExpired(expiresAt: number | undefined, now: number): boolean {
  return (expiresAt ?? Number.POSITIVE_INFINITY) <= now;
}

function expiry(expiresAt: number | undefined): { expiresAt?: number } {
  return expiresAt === undefined ? {} : { expiresAt };
}

function withoutLimit(range: RangeOptions): RangeOptions {
  const { limit: _limit, ...rest } = range;
  return rest;
}
