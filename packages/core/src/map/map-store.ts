/**
 * The engine room of PersistentMap, shared by a map and all its namespace views. It works
 * on backend keys (already encoded, prefixed and checked) and decoded values, and owns the
 * write-through cache's rules:
 * - writes to one key run in call order (KeyQueue); writes to different keys concurrently;
 * - the cache changes only after the backend write succeeded (`commit`);
 * - `clear` is a barrier: writes called before it finish first, writes called after wait;
 * - a backend read that a write overtook never lands in the cache (stale loads).
 */

import { StowageError } from '../contract/errors.js';
import * as fallbacks from '../contract/fallbacks.js';
import { assertValidKey, compareKeys, inRange, utf8Length } from '../contract/keys.js';
import type {
  BatchOperation,
  EncodedValue,
  ExpiringValue,
  RangeOptions,
  StorageBackend,
  StoredLocation,
} from '../contract/storage-backend.js';
import type { Codec } from './codecs.js';
import { expiryOf, keepsExpiry, type ScannedEntry, scanEntries, unwrap } from './envelope.js';
import { KeyQueue } from './key-queue.js';
import { type CacheEntry, type MapCache, NEVER, type StoredEntry, type Undecoded } from './map-cache.js';
import { MapCounters } from './map-stats.js';
import { SetBatcher, type SetJob } from './set-batch.js';

export const ORIGIN = '@stowage/core';

export type MapState = 'open' | 'closing' | 'closed';

/** A write the map is about to make: the value for the cache and what the backend stores. */
export interface PreparedSet<V> {
  readonly key: string;
  /** The value as a read after a restart gives it (possibly still to decode, see Undecoded). */
  readonly value: V | Undecoded<V>;
  readonly stored: EncodedValue;
  readonly expiresAt: number;
}

interface Load<V> {
  stale: boolean;
  promise: Promise<CacheEntry<V>>;
}

/**
 * Backend reads in flight, by key, so concurrent misses of one key share one read. Most of
 * the time there are none or one (an awaited miss), and that one lives in two fields: a Map
 * emptied after every miss reallocates its table each time (V8 shrinks it), ~150 bytes of
 * garbage per miss. More than one at a time go to the Map.
 */
class PendingLoads<V> {
  #key: string | undefined;
  #load: Load<V> | undefined;
  readonly #more = new Map<string, Load<V>>();

  get(key: string): Load<V> | undefined {
    if (this.#key === key) return this.#load;
    return this.#more.size === 0 ? undefined : this.#more.get(key);
  }

  set(key: string, load: Load<V>): void {
    if (this.#key === key || (this.#key === undefined && !this.#more.has(key))) {
      this.#key = key;
      this.#load = load;
    } else {
      this.#more.set(key, load);
    }
  }

  delete(key: string): void {
    if (this.#key === key) {
      this.#key = undefined;
      this.#load = undefined;
    } else if (this.#more.size > 0) {
      this.#more.delete(key);
    }
  }

  /** Every key in flight with its read. */
  *[Symbol.iterator](): IterableIterator<[string, Load<V>]> {
    if (this.#key !== undefined) yield [this.#key, this.#load!];
    yield* [...this.#more];
  }
}

export class MapStore<V> {
  state: MapState = 'open';
  /** The close in progress or done, shared by the map and its views. */
  closing: Promise<void> | undefined;
  readonly counters = new MapCounters();
  readonly queue = new KeyQueue();
  /** Keys with a TTL, and when they expire (full cache only). */
  readonly expiring = new Map<string, number>();
  /** Transactions and sweeps running now; close waits for them. */
  readonly active = new Set<Promise<unknown>>();
  /**
   * The backend keeps expiries itself (`supports.storesExpiry`): values go to it bare and
   * reads take the expiry from `getWithExpiry`/`entriesWithExpiry` (see envelope.ts).
   */
  readonly keepsExpiry: boolean;
  readonly #loads = new PendingLoads<V>();
  readonly #sets: SetBatcher;
  #gate: Promise<void> | undefined;

  constructor(
    readonly backend: StorageBackend,
    readonly codec: Codec<V>,
    readonly cache: MapCache<V>,
  ) {
    this.#sets = new SetBatcher(backend, this.failed, (keys) => this.reconcile(keys));
    this.keepsExpiry = keepsExpiry(backend);
  }

  // ---- checks and conversions ----

  closedError(): StowageError {
    // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
    return new StowageError('STORE_CLOSED', `the map over the ${this.backend.name} store is ${this.state}`, {
      origin: ORIGIN,
    });
  }

  assertOpen(): void {
    if (this.state !== 'open') throw this.closedError();
  }

  checkKey(key: string): void {
    assertValidKey(key, this.backend.supports.maxKeyBytes, ORIGIN);
  }

  /**
   * The cache entry for what the backend stores under `key` (an absent entry for undefined
   * or expired). `kept` is the expiry the backend keeps itself (storesExpiry); a value an
   * older version wrapped in an envelope still gives its own.
   */
  toEntry(key: string, stored: EncodedValue | undefined, now = Date.now(), kept?: number): CacheEntry<V> {
    if (stored === undefined) return this.absent(key);
    let value: V;
    let expiresAt: number;
    try {
      const unwrapped = unwrap(stored);
      expiresAt = kept ?? unwrapped.expiresAt ?? NEVER;
      if (expiresAt <= now) return this.absent(key);
      value = this.codec.decode(unwrapped.payload);
    } catch (error) {
      this.counters.errors++;
      const why = error instanceof Error ? error.message : String(error);
      throw new StowageError('DECODE_FAILED', `cannot decode the value of key "${key}"${this.#whereIs(key)}: ${why}`, {
        origin: ORIGIN,
        key,
        cause: error,
      });
    }
    return { value, expiresAt, bytes: this.bytesOf(key, stored) };
  }

  /** Where a person can fix the value of `key`, for a DECODE_FAILED message ('' when the backend cannot say). */
  #whereIs(key: string): string {
    let place: StoredLocation | undefined;
    try {
      // Stryker disable next-line OptionalChaining: calling a missing locate throws a TypeError, which the catch below turns into '' as well
      place = this.backend.locate?.(key);
      // Stryker disable next-line BlockStatement: without this return `place` stays undefined, which gives '' just below
    } catch {
      return ''; // a diagnostic must not replace the error it explains
    }
    if (place === undefined) return '';
    const hint = this.codec.name === 'json' ? '; the json codec reads JSON, so text needs its double quotes' : '';
    return ` (stored in ${place.file} at line ${place.line}, column ${place.column}${hint})`;
  }

  absent(key: string): CacheEntry<V> {
    return { value: undefined, expiresAt: NEVER, bytes: this.bytesOf(key, undefined) };
  }

  /** The cache entry for a read of `key` as the backend answered it (see `read`). */
  readEntry(key: string, found: EncodedValue | ExpiringValue | undefined, now = Date.now()): CacheEntry<V> {
    if (found === undefined || !this.keepsExpiry) return this.toEntry(key, found as EncodedValue | undefined, now);
    const { value, expiresAt } = found as ExpiringValue;
    return this.toEntry(key, value, now, expiresAt);
  }

  /** Reads `key` from the backend: its value, with its expiry where the backend keeps it. */
  read(key: string): Promise<EncodedValue | ExpiringValue | undefined> {
    try {
      return this.keepsExpiry ? this.backend.getWithExpiry!(key) : this.backend.get(key);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The expiry of a read as `read` answered it, without decoding the value. */
  expiryOfRead(found: EncodedValue | ExpiringValue): number | undefined {
    if (!this.keepsExpiry) return expiryOf(found as EncodedValue);
    const { value, expiresAt } = found as ExpiringValue;
    return expiryOf(value, expiresAt);
  }

  /** Reads `keys` in one call where the backend has one (getMany), else one by one. */
  readMany(keys: readonly string[]): Promise<(EncodedValue | ExpiringValue | undefined)[]> {
    if (keys.length === 1) return this.read(keys[0]!).then((found) => [found]);
    if (this.keepsExpiry) return Promise.all(keys.map((key) => this.read(key)));
    return fallbacks.getMany(this.backend, keys);
  }

  /**
   * Backend entries within `range` as [key, stored value, expiry kept by the backend],
   * counted as one read. A backend without kept expiries is iterated as it is (its pairs
   * have no third element): a full-cache open goes through here for every entry.
   */
  scan(range: RangeOptions): AsyncIterable<ScannedEntry> {
    this.counters.backendReads++;
    return scanEntries(this.backend, range, this.keepsExpiry);
  }

  /** Bytes an LRU entry is charged for; the full cache does not count them. */
  bytesOf(key: string, stored: EncodedValue | undefined): number {
    if (this.cache.complete) return 0;
    // Buffer.byteLength: native, ~6x faster than a JS loop over a value's characters (8% of
    // an LRU miss); it counts as utf8Length does, a lone surrogate as the 3 bytes of U+FFFD.
    const valueBytes =
      stored === undefined ? 0 : typeof stored === 'string' ? Buffer.byteLength(stored, 'utf8') : stored.byteLength;
    return utf8Length(key) + valueBytes;
  }

  // ---- reads ----

  /** The read path after a cache hit failed: an expired or absent entry, or a miss. */
  getSlow(key: string, entry: CacheEntry<V> | undefined): Promise<V | undefined> {
    try {
      if (entry !== undefined || this.cache.complete) {
        if (entry === undefined) this.checkKey(key);
        this.counters.hits++;
        return Promise.resolve(undefined);
      }
      this.checkKey(key);
    } catch (error) {
      return Promise.reject(error);
    }
    this.counters.misses++;
    // No `async`/`await` here: a miss is one promise from the backend read plus this `then`.
    return this.loadOne(key).then(live);
  }

  /**
   * `load([key])` without its arrays and wrappers: an LRU miss is a read of one key, and
   * its bookkeeping was a large part of what a miss cost over the engine's own get.
   */
  loadOne(key: string): Promise<CacheEntry<V>> {
    const pending = this.#loads.get(key);
    if (pending) return pending.promise;
    this.counters.backendReads++;
    // Stryker disable next-line ObjectLiteral: an absent `stale` reads as false, and `promise` is assigned before anyone reads it
    const load: Load<V> = { stale: false, promise: undefined as unknown as Promise<CacheEntry<V>> };
    load.promise = this.read(key).then(
      (found) => {
        if (this.#loads.get(key) === load) this.#loads.delete(key);
        const entry = this.readEntry(key, found);
        if (!load.stale) this.cache.set(key, entry);
        return entry;
      },
      (error: unknown) => {
        if (this.#loads.get(key) === load) this.#loads.delete(key);
        return this.failed(error);
      },
    );
    this.#loads.set(key, load);
    return load.promise;
  }

  /** The live entry of `key` (cache, else backend); in LRU mode misses share one backend read. */
  async current(key: string): Promise<CacheEntry<V>> {
    const cached = this.cache.get(key);
    if (cached !== undefined) return isLive(cached) ? cached : this.absent(key);
    if (this.cache.complete) return this.absent(key);
    return this.loadOne(key);
  }

  /** The live entries of `keys`: cached ones at once, the others in one backend read. */
  async currentMany(keys: readonly string[]): Promise<CacheEntry<V>[]> {
    // Stryker disable next-line ArrayDeclaration: every slot is assigned below; for no keys, deleteMany counts no live entry either way
    const entries: CacheEntry<V>[] = [];
    const missing: string[] = [];
    const slots: number[] = [];
    keys.forEach((key, index) => {
      const cached = this.cache.get(key);
      if (cached !== undefined) entries[index] = isLive(cached) ? cached : this.absent(key);
      else if (this.cache.complete) entries[index] = this.absent(key);
      else {
        missing.push(key);
        slots.push(index);
      }
    });
    if (missing.length > 0) {
      const loaded = await Promise.all(this.load(missing));
      loaded.forEach((entry, position) => {
        entries[slots[position]!] = entry;
      });
    }
    return entries;
  }

  /** Reads `keys` from the backend in one call, sharing reads already in flight. */
  load(keys: readonly string[]): Promise<CacheEntry<V>>[] {
    // Stryker disable next-line ArrayDeclaration: callers pass at least one key, and every slot is assigned below
    const results: Promise<CacheEntry<V>>[] = [];
    const missing: string[] = [];
    const slots: number[] = [];
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!;
      const pending = this.#loads.get(key);
      if (pending) results[index] = pending.promise;
      else {
        missing.push(key);
        slots.push(index);
      }
    }
    if (missing.length === 0) return results;
    this.counters.backendReads++;
    const batch = this.backendCall(() => this.readMany(missing));
    missing.forEach((key, position) => {
      // Stryker disable next-line ObjectLiteral: an absent `stale` reads as false, and `promise` is assigned before anyone reads it
      const load: Load<V> = { stale: false, promise: undefined as unknown as Promise<CacheEntry<V>> };
      const forget = () => {
        if (this.#loads.get(key) === load) this.#loads.delete(key);
      };
      load.promise = batch.then(
        (values) => {
          forget();
          const entry = this.readEntry(key, values[position]);
          if (!load.stale) this.cache.set(key, entry);
          return entry;
        },
        (error: unknown) => {
          forget();
          throw error;
        },
      );
      this.#loads.set(key, load);
      results[slots[position]!] = load.promise;
    });
    return results;
  }

  // ---- writes ----

  /** Runs `operation` in `key`'s queue, after any clear that was called before it. */
  write<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const gate = this.#gate;
    if (gate === undefined) return this.queue.run(key, operation);
    return this.queue.run(key, () => gate.then(operation));
  }

  /** Like `write`, holding every key of `keys` at once. */
  writeMany<T>(keys: readonly string[], operation: () => Promise<T>): Promise<T> {
    const gate = this.#gate;
    if (gate === undefined) return this.queue.runMany(keys, operation);
    return this.queue.runMany(keys, () => gate.then(operation));
  }

  /** Calls the backend, counting failures and giving them a code. */
  async backendCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      return this.failed(error);
    }
  }

  /** Counts a backend failure and throws it as a StowageError (a rejection handler). */
  readonly failed = (error: unknown): never => {
    this.counters.errors++;
    if (StowageError.is(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new StowageError('IO', `the ${this.backend.name} backend failed: ${message}`, {
      origin: ORIGIN,
      cause: error,
    });
  };

  /** Records in the cache what the backend now holds for `key`. Call only after the backend write succeeded. */
  commit(key: string, entry: StoredEntry<V>): void {
    const load = this.#loads.get(key);
    if (load) {
      load.stale = true;
      this.#loads.delete(key);
    }
    this.cache.set(key, entry);
    // Only the full cache tracks expiries (its sweep and size need them); an LRU map stays bounded.
    if (!this.cache.complete) return;
    if (entry.value !== undefined && entry.expiresAt !== NEVER) this.expiring.set(key, entry.expiresAt);
    else this.expiring.delete(key);
  }

  set(prepared: PreparedSet<V>): Promise<void> {
    const { key } = prepared;
    if (this.#gate !== undefined || this.queue.busy(key)) return this.write(key, () => this.setNow(prepared));
    // The key is free: this set is its queue's operation until it settles, without a chain.
    this.counters.backendWrites++;
    const job = new SetWrite(this, prepared, true);
    this.queue.hold(key, job.promise);
    this.#sets.set(job);
    return job.promise;
  }

  /** Writes `prepared` now (in the tick's batch, see set-batch.ts); the caller holds the key. */
  setNow(prepared: PreparedSet<V>): Promise<void> {
    this.counters.backendWrites++;
    // Stryker disable next-line BooleanLiteral: inside the queue the key's tail is the queue's own run, so a release by this job would forget nothing
    const job = new SetWrite(this, prepared, false);
    this.#sets.set(job);
    return job.promise;
  }

  delete(key: string): Promise<boolean> {
    return this.write(key, async () => {
      const present = (await this.current(key)).value !== undefined;
      await this.deleteNow(key);
      return present;
    });
  }

  /** Deletes `key` now; the caller holds the key. */
  async deleteNow(key: string): Promise<void> {
    this.counters.backendWrites++;
    await this.backendCall(() => this.backend.delete(key));
    this.commit(key, this.absent(key));
  }

  /** Writes many keys in one backend `apply` where there is one, holding all of them. */
  setMany(items: readonly PreparedSet<V>[]): Promise<void> {
    const operations: BatchOperation[] = items.map(({ key, stored, expiresAt }) =>
      expiresAt === NEVER ? { type: 'set', key, value: stored } : { type: 'set', key, value: stored, expiresAt },
    );
    return this.writeMany(
      items.map((item) => item.key),
      () =>
        this.applyNow(operations, (index) => {
          const { key, value, stored, expiresAt } = items[index]!;
          this.commit(key, { value, expiresAt, bytes: this.bytesOf(key, stored) });
        }),
    );
  }

  deleteMany(keys: readonly string[]): Promise<number> {
    const distinct = [...new Set(keys)];
    return this.writeMany(distinct, async () => {
      const entries = await this.currentMany(distinct);
      const present = entries.filter((entry) => isLive(entry)).length;
      const operations: BatchOperation[] = distinct.map((key) => ({ type: 'delete', key }));
      await this.applyNow(operations, (index) => this.commit(distinct[index]!, this.absent(distinct[index]!)));
      return present;
    });
  }

  async applyNow(operations: readonly BatchOperation[], applied: (index: number) => void): Promise<void> {
    this.counters.backendWrites++;
    try {
      await this.backendCall(() => fallbacks.apply(this.backend, operations, applied));
    } catch (error) {
      // A non-atomic apply may have written part of the batch: read back what it holds.
      if (this.backend.apply && !this.backend.supports.atomicBatch) {
        await this.reconcile(operations.map((operation) => operation.key));
      }
      throw error;
    }
  }

  /** Makes the cache agree with the backend for `keys` after a failure left them uncertain. */
  async reconcile(keys: readonly string[]): Promise<void> {
    for (const key of new Set(keys)) {
      try {
        this.counters.backendReads++;
        this.commit(key, this.readEntry(key, await this.read(key)));
      } catch {
        if (!this.cache.complete) this.cache.delete(key); // the next read asks the backend
      }
    }
  }

  /** Removes every entry whose key starts with `prefix`, ordered against every write as a barrier. */
  async clear(prefix: string): Promise<void> {
    const previous = this.#gate;
    let open = (): void => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    this.#gate = gate;
    try {
      await this.queue.drain();
      await previous;
      const range: RangeOptions = prefix === '' ? {} : { prefix };
      this.counters.backendWrites++;
      try {
        await this.backendCall(() => fallbacks.clear(this.backend, range));
      } catch (error) {
        // The clear may have deleted part: make the cache follow what the backend holds.
        if (this.cache.complete) await this.reloadPrefix(prefix).catch(() => undefined);
        else this.forgetPrefix(prefix);
        throw error;
      }
      this.forgetPrefix(prefix);
    } finally {
      if (this.#gate === gate) this.#gate = undefined;
      open();
    }
  }

  forgetPrefix(prefix: string): void {
    this.cache.clear(prefix);
    for (const [key, load] of this.#loads) {
      if (key.startsWith(prefix)) {
        load.stale = true;
        this.#loads.delete(key);
      }
    }
    for (const key of this.expiring.keys()) if (key.startsWith(prefix)) this.expiring.delete(key);
  }

  /**
   * Replaces the full cache's entries under `prefix` by what the backend holds (at open, and
   * after a failed clear). If reading fails, the cache is left as it was.
   */
  async reloadPrefix(prefix: string): Promise<void> {
    const now = Date.now();
    const range: RangeOptions = prefix === '' ? {} : { prefix };
    const live: [string, CacheEntry<V>][] = [];
    // Stryker disable next-line ArrayDeclaration: a junk first element would be an expiry that is not a number, which no `<= now` test ever finds due
    const expired: [string, number][] = [];
    await this.backendCall(async () => {
      for await (const [key, stored, kept] of this.scan(range)) {
        const entry = this.toEntry(key, stored, now, kept);
        if (entry.value !== undefined) live.push([key, entry]);
        else expired.push([key, expiryOf(stored, kept)!]);
      }
    });
    this.forgetPrefix(prefix);
    for (const [key, entry] of live) this.commit(key, entry);
    for (const [key, expiresAt] of expired) this.expiring.set(key, expiresAt); // the sweep deletes them
  }

  // ---- whole-store reads ----

  async size(prefix: string): Promise<number> {
    const now = Date.now();
    if (this.cache.complete) {
      let count = 0;
      if (prefix === '') count = this.cache.size;
      else for (const key of this.cache.keys()) if (key.startsWith(prefix)) count++;
      for (const [key, expiresAt] of this.expiring) {
        if (expiresAt <= now && key.startsWith(prefix) && this.cache.get(key) !== undefined) count--;
      }
      return count;
    }
    let count = 0;
    for await (const [, stored, kept] of this.scan(prefix === '' ? {} : { prefix })) {
      const expiresAt = expiryOf(stored, kept);
      if (expiresAt === undefined || expiresAt > now) count++;
    }
    return count;
  }

  /** Live entries within `range` as [backend key, value]; from the cache in full mode. */
  async *iterate(range: RangeOptions): AsyncGenerator<[string, V]> {
    this.assertOpen();
    const { limit, ...bounds } = range;
    if (limit === 0) return;
    let yielded = 0;
    if (this.cache.complete) {
      const ordered = this.backend.supports.orderedIteration;
      let keys: string[];
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: firstKeys and #sortedKeys pick the same keys in the same order; this only chooses the faster
      if (ordered && limit !== undefined && limit <= SELECT_LIMIT) {
        // A short ordered scan (YCSB's E reads 1-100 keys) picks its keys in one pass
        // instead of sorting every key of the store for each scan.
        keys = firstKeys(this.cache.keys(), bounds, limit, range.reverse === true);
        // Stryker disable next-line ArrowFunction,EqualityOperator: these only send more scans the long way (#sortedKeys), which yields the same keys
        if (!keys.every((key) => this.cache.get(key) !== undefined && isLive(this.cache.get(key)!))) {
          keys = this.#sortedKeys(bounds, range.reverse === true); // an expired key among them: take the long way
        }
      } else if (ordered) {
        keys = this.#sortedKeys(bounds, range.reverse === true);
      } else {
        // Stryker disable next-line ArrayDeclaration: a junk first key is in no cache entry, so the loop below skips it
        keys = [];
        for (const key of this.cache.keys()) if (inRange(key, bounds)) keys.push(key);
      }
      for (const key of keys) {
        this.assertOpen();
        const entry = this.cache.get(key);
        if (entry === undefined || !isLive(entry)) continue;
        yield [key, entry.value as V];
        if (++yielded === limit) return;
      }
      return;
    }
    for await (const [key, stored, kept] of this.scan(bounds)) {
      this.assertOpen();
      const entry = this.toEntry(key, stored, Date.now(), kept);
      if (entry.value === undefined) continue;
      yield [key, entry.value];
      if (++yielded === limit) return;
    }
  }

  /** Every cached key within `bounds`, in key order. */
  #sortedKeys(bounds: RangeOptions, reverse: boolean): string[] {
    // Stryker disable next-line ArrayDeclaration: a junk first key is in no cache entry, so iterate skips it
    const keys: string[] = [];
    for (const key of this.cache.keys()) if (inRange(key, bounds)) keys.push(key);
    keys.sort(compareKeys);
    if (reverse) keys.reverse();
    return keys;
  }

  /** Runs `task` as tracked background work that close waits for. */
  track<T>(task: Promise<T>): Promise<T> {
    this.active.add(task);
    const untrack = () => this.active.delete(task);
    task.then(untrack, untrack);
    return task;
  }
}

/**
 * A single-key set on its way to the backend: the caller's promise, settled by the
 * batcher's call to `succeeded` (the cache is updated first) or `failed`.
 */
class SetWrite<V> implements SetJob {
  readonly key: string;
  readonly stored: EncodedValue;
  readonly expiry: number | undefined;
  readonly promise: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: unknown) => void;

  constructor(
    private readonly store: MapStore<V>,
    private readonly prepared: PreparedSet<V>,
    /** It holds its key's queue (MapStore.set), rather than running inside it (setNow). */
    private readonly holdsKey: boolean,
  ) {
    this.key = prepared.key;
    this.stored = prepared.stored;
    this.expiry = finite(prepared.expiresAt);
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  succeeded(): void {
    const { store, prepared } = this;
    store.commit(this.key, {
      value: prepared.value,
      expiresAt: prepared.expiresAt,
      bytes: store.bytesOf(this.key, this.stored),
    });
    if (this.holdsKey) store.queue.release(this.key, this.promise);
    this.resolve();
  }

  failed(error: unknown): void {
    if (this.holdsKey) this.store.queue.release(this.key, this.promise);
    this.reject(error);
  }
}

/** Longest limit for which an ordered scan of the full cache selects keys instead of sorting them all. */
const SELECT_LIMIT = 1000;

/** The first `limit` keys within `bounds` in key order (descending when `reverse`): one pass, no full sort. */
export function firstKeys(keys: Iterable<string>, bounds: RangeOptions, limit: number, reverse: boolean): string[] {
  const top: string[] = [];
  const before = (a: string, b: string) => (reverse ? compareKeys(a, b) > 0 : compareKeys(a, b) < 0);
  for (const key of keys) {
    if (!inRange(key, bounds)) continue;
    if (top.length === limit && !before(key, top[limit - 1]!)) continue;
    let low = 0;
    let high = top.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (before(key, top[middle]!)) high = middle;
      else low = middle + 1;
    }
    top.splice(low, 0, key);
    if (top.length > limit) top.pop();
  }
  return top;
}

export function isLive<V>(entry: CacheEntry<V>): boolean {
  return entry.value !== undefined && (entry.expiresAt === NEVER || entry.expiresAt > Date.now());
}

function live<V>(entry: CacheEntry<V>): V | undefined {
  return isLive(entry) ? entry.value : undefined;
}

function finite(expiresAt: number): number | undefined {
  return expiresAt === NEVER ? undefined : expiresAt;
}
