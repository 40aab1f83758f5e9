/**
 * PersistentMap: the Map-like object users hold. It turns user keys and values into
 * backend ones (key codec, namespace prefix, value codec, TTL envelope), checks every
 * input before anything is written, and hands the work to the MapStore it shares with its
 * namespace views. The cache-hit `get` is kept to a few property reads on purpose.
 */

import { StowageError } from '../contract/errors.js';
import { assertValidRange } from '../contract/keys.js';
import { type RetryOptions, withRetry } from '../contract/retry.js';
import type { EncodedValue, RangeOptions, StorageBackend } from '../contract/storage-backend.js';
import { type Codec, jsonCodec, type KeyCodec, stringKeys, structuredCodec } from './codecs.js';
import { MAX_EXPIRES_AT, storedValue } from './envelope.js';
import type {
  KeyValueMap,
  MapRangeOptions,
  MapStats,
  MapTransaction,
  PersistentMapOptions,
  SetOptions,
} from './map-api.js';
import { decoded, FullCache, NEVER, Undecoded } from './map-cache.js';
import { resolveOptions } from './map-options.js';
import { isLive, MapStore, ORIGIN, type PreparedSet } from './map-store.js';
import { runTransaction } from './map-transaction.js';
import { TtlSweeper } from './ttl-sweeper.js';

/** Options of `map.transaction`: how often to run the body again after a CONFLICT (default 0). */
export type TransactionOptions = RetryOptions;

type Updater<V> = (current: V | undefined) => V | undefined | Promise<V | undefined>;

/**
 * An async, Map-like store over a {@link StorageBackend} that survives restarts: a
 * write-through cache (full, LRU or none), TTL, namespaces, atomic `update` and
 * transactions. Create one with {@link PersistentMap.open}; close it with `close()` or
 * `await using`. Writes to one key land in call order in the cache and on the backend; a
 * promise resolves once the backend acknowledged the write (as durable as the engine is
 * configured), and a failed write leaves the cache as the backend is. Bad keys and values
 * are refused with a {@link StowageError} before anything is written.
 *
 * @typeParam K - the key type (strings by default; other keys need a `keyCodec`)
 * @typeParam V - the value type, encoded by the `codec` (JSON by default)
 */
export class PersistentMap<K = string, V = unknown> implements KeyValueMap<K, V> {
  readonly #store: MapStore<V>;
  readonly #sweeper: TtlSweeper<V>;
  readonly #codec: Codec<V>;
  readonly #keyCodec: KeyCodec<K>;
  readonly #prefix: string;
  /** String keys at the root: the key is the backend key, no work at all on a cache hit. */
  readonly #plainKeys: boolean;
  /** The full cache's Map, read directly on the hit path (undefined in LRU mode). */
  readonly #full: FullCache<V> | undefined;
  /** The codec is a built-in one that gives strings, booleans, null and finite numbers back exactly. */
  readonly #exactPrimitives: boolean;

  private constructor(store: MapStore<V>, sweeper: TtlSweeper<V>, keyCodec: KeyCodec<K>, prefix: string) {
    this.#store = store;
    this.#sweeper = sweeper;
    this.#codec = store.codec;
    this.#keyCodec = keyCodec;
    this.#prefix = prefix;
    // Stryker disable next-line StringLiteral: a speed-up only; the string key codec gives a key back as it is
    this.#plainKeys = prefix === '' && (keyCodec as unknown) === stringKeys;
    this.#full = store.cache instanceof FullCache ? store.cache : undefined;
    const codec: unknown = store.codec;
    this.#exactPrimitives = codec === jsonCodec || codec === structuredCodec;
  }

  /**
   * Opens `backend` and returns a map over it; in full mode every entry is loaded first.
   * The map owns the backend from then on: `map.close()` closes it.
   */
  static async open<K = string, V = unknown>(
    backend: StorageBackend,
    options: PersistentMapOptions<K, V> = {},
  ): Promise<PersistentMap<K, V>> {
    const resolved = resolveOptions(backend, options);
    const store = new MapStore<V>(backend, resolved.codec, resolved.cache);
    await store.backendCall(() => backend.open());
    try {
      if (resolved.cache.complete) await store.reloadPrefix('');
    } catch (error) {
      await backend.close().catch(() => undefined);
      throw error;
    }
    const sweeper = new TtlSweeper(store);
    sweeper.start(resolved.sweepInterval);
    return new PersistentMap<K, V>(store, sweeper, resolved.keyCodec, '');
  }

  /** The backend this map owns (shared by its namespace views). */
  get backend(): StorageBackend {
    return this.#store.backend;
  }

  /** The namespace prefix of this view ('' for the map itself). */
  get prefix(): string {
    return this.#prefix;
  }

  // ---- single keys ----

  /**
   * The value of `key`, or `undefined` when it is absent or its TTL has passed. Answered
   * from the cache when it can be; `STORE_CLOSED` after `close()`, `INVALID_KEY` for a bad key.
   */
  get(key: K): Promise<V | undefined> {
    // Not `async`: a miss hands back the store's promise as it is. An async function that
    // returns a promise resolves its own with it, a promise and two microtasks more per miss.
    try {
      const store = this.#store;
      if (store.state !== 'open') throw store.closedError();
      const storeKey = this.#plainKeys ? (key as unknown as string) : this.#storeKey(key);
      const full = this.#full;
      // Stryker disable next-line BlockStatement: a speed-up only; the general path below asks the same full cache
      if (full !== undefined) {
        const value = full.values.get(storeKey);
        const expiresAt = full.expiries.size === 0 ? undefined : full.expiries.get(storeKey);
        if (value !== undefined && (expiresAt === undefined || expiresAt > Date.now())) {
          store.counters.hits++;
          return Promise.resolve(value instanceof Undecoded ? full.decodedValue(storeKey, value) : value);
        }
        return store.getSlow(storeKey, undefined);
      }
      const entry = store.cache.get(storeKey);
      if (
        entry !== undefined &&
        // Stryker disable next-line ConditionalExpression: a cached absence takes getSlow, which also answers undefined and counts a hit
        entry.value !== undefined &&
        (entry.expiresAt === NEVER || entry.expiresAt > Date.now())
      ) {
        store.counters.hits++;
        return Promise.resolve(entry.value);
      }
      return store.getSlow(storeKey, entry);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Stores `value` under `key`, with `options.ttl` ms to live (default: no expiry; a set
   * without `ttl` removes an earlier expiry). Resolves once the backend acknowledged the
   * write; a value the codec cannot encode (or `undefined`) is refused with `ENCODE_FAILED` and nothing is written.
   */
  set(key: K, value: V, options?: SetOptions): Promise<void> {
    // Not `async`: one promise per set instead of two (the store's is returned as it is);
    // a refused input still rejects rather than throwing.
    try {
      this.#store.assertOpen();
      return this.#store.set(this.#prepare(this.#checkedKey(key), value, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Removes `key`; true when it was present. */
  async delete(key: K): Promise<boolean> {
    this.#store.assertOpen();
    return this.#store.delete(this.#checkedKey(key));
  }

  /** True when `key` holds a live (unexpired) value. */
  async has(key: K): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /**
   * Atomic read-modify-write within this process. Without `options.ttl` the entry keeps the
   * expiry it had. `fn` must not write the same key through the map (it would wait for itself).
   */
  async update(key: K, fn: Updater<V>, options?: SetOptions): Promise<V | undefined> {
    const store = this.#store;
    store.assertOpen();
    const storeKey = this.#checkedKey(key);
    if (typeof fn !== 'function') throw argumentError('update takes a function');
    if (options?.ttl !== undefined) expiryOf(options.ttl);
    return store.write(storeKey, async () => {
      const current = await store.current(storeKey);
      const next = await fn(current.value);
      if (next === undefined) {
        if (current.value !== undefined) await store.deleteNow(storeKey);
        return undefined;
      }
      const expiresAt = options?.ttl !== undefined ? expiryOf(options.ttl) : current.expiresAt;
      const prepared = this.#prepareWithExpiry(storeKey, next, expiresAt);
      await store.setNow(prepared);
      return decoded(prepared.value);
    });
  }

  // ---- TTL ----

  /** Gives `key` a new time to live of `ttl` ms (> 0, or `Infinity`); false when the key is absent. */
  async expire(key: K, ttl: number): Promise<boolean> {
    this.#store.assertOpen();
    const storeKey = this.#checkedKey(key);
    expiryOf(ttl);
    return this.#rewriteExpiry(storeKey, () => expiryOf(ttl));
  }

  /** Removes the expiry of `key`, so it lives until deleted; false when the key is absent. */
  async persist(key: K): Promise<boolean> {
    this.#store.assertOpen();
    return this.#rewriteExpiry(this.#checkedKey(key), () => NEVER);
  }

  /** The ms `key` has left to live: `Infinity` without an expiry, `undefined` when absent. */
  async ttl(key: K): Promise<number | undefined> {
    const store = this.#store;
    store.assertOpen();
    const entry = await store.current(this.#checkedKey(key));
    if (entry.value === undefined) return undefined;
    return entry.expiresAt === NEVER ? Number.POSITIVE_INFINITY : Math.max(0, entry.expiresAt - Date.now());
  }

  /** Deletes expired entries from the backend now (the timer does this every `sweepInterval` ms). */
  async sweep(): Promise<number> {
    this.#store.assertOpen();
    return this.#sweeper.sweep();
  }

  // ---- many keys ----

  /** The number of live entries in this map or namespace. */
  async size(): Promise<number> {
    this.#store.assertOpen();
    return this.#store.size(this.#prefix);
  }

  /** Removes every entry of this map or namespace; writes called before it land first, writes after it stay. */
  async clear(): Promise<void> {
    this.#store.assertOpen();
    return this.#store.clear(this.#prefix);
  }

  /** The values of `keys`, in the same order (`undefined` for absent ones); one backend call for the cache misses where the backend has one. */
  async getMany(keys: Iterable<K>): Promise<(V | undefined)[]> {
    const store = this.#store;
    store.assertOpen();
    // Stryker disable next-line StringLiteral: the method name only words the INVALID_ARGUMENT message
    const storeKeys = Array.from(iterableArgument(keys, 'getMany'), (key) => this.#checkedKey(key));
    // Stryker disable next-line ArrayDeclaration: every slot is assigned below; the length only spares the array growing
    const values: (V | undefined)[] = new Array(storeKeys.length);
    const missing: number[] = [];
    storeKeys.forEach((storeKey, index) => {
      const entry = store.cache.get(storeKey);
      if (entry === undefined && !store.cache.complete) missing.push(index);
      else {
        store.counters.hits++;
        values[index] = entry !== undefined && isLive(entry) ? entry.value : undefined;
      }
    });
    if (missing.length > 0) {
      store.counters.misses += missing.length;
      const loaded = await Promise.all(store.load(missing.map((index) => storeKeys[index]!)));
      loaded.forEach((entry, position) => {
        values[missing[position]!] = isLive(entry) ? entry.value : undefined;
      });
    }
    return values;
  }

  /** Writes every entry (through one backend `apply` where there is one: atomic where `supports.atomicBatch`). */
  async setMany(entries: Iterable<readonly [K, V]>, options?: SetOptions): Promise<void> {
    this.#store.assertOpen();
    // Stryker disable next-line StringLiteral: the method name only words the INVALID_ARGUMENT message
    const prepared = Array.from(iterableArgument(entries, 'setMany'), (entry) => {
      if (typeof entry !== 'object' || entry === null) {
        throw argumentError(`setMany takes [key, value] pairs, got ${describe(entry)}`);
      }
      const [key, value] = entry;
      return this.#prepare(this.#checkedKey(key), value, options);
    });
    if (prepared.length > 0) await this.#store.setMany(prepared);
  }

  /** Removes every key of `keys`; resolves with how many were present. */
  async deleteMany(keys: Iterable<K>): Promise<number> {
    this.#store.assertOpen();
    // Stryker disable next-line StringLiteral: the method name only words the INVALID_ARGUMENT message
    const storeKeys = Array.from(iterableArgument(keys, 'deleteMany'), (key) => this.#checkedKey(key));
    return storeKeys.length === 0 ? 0 : this.#store.deleteMany(storeKeys);
  }

  // ---- iteration ----

  /**
   * The live entries within `range` (`prefix`, `gt`/`gte`/`lt`/`lte` on encoded keys,
   * `limit`; `reverse` and key order only on backends with `supports.orderedIteration`).
   */
  async *entries(range: MapRangeOptions = {}): AsyncIterableIterator<[K, V]> {
    for await (const [storeKey, value] of this.#store.iterate(this.#storeRange(range))) {
      yield [this.#userKey(storeKey), value];
    }
  }

  /** The keys of the live entries within `range` (see {@link PersistentMap.entries}). */
  async *keys(range: MapRangeOptions = {}): AsyncIterableIterator<K> {
    for await (const [storeKey] of this.#store.iterate(this.#storeRange(range))) yield this.#userKey(storeKey);
  }

  /** The values of the live entries within `range` (see {@link PersistentMap.entries}). */
  async *values(range: MapRangeOptions = {}): AsyncIterableIterator<V> {
    for await (const [, value] of this.#store.iterate(this.#storeRange(range))) yield value;
  }

  /** `for await (const [key, value] of map)`: every live entry, as {@link PersistentMap.entries}. */
  [Symbol.asyncIterator](): AsyncIterator<[K, V]> {
    return this.entries();
  }

  // ---- views, transactions, lifecycle ----

  /** A view of the keys under `prefix` (applied to the encoded key); it shares this map's cache and queues. */
  namespace(prefix: string): PersistentMap<K, V> {
    if (typeof prefix !== 'string' || !prefix.isWellFormed())
      throw argumentError('a namespace prefix must be a string');
    return new PersistentMap<K, V>(this.#store, this.#sweeper, this.#keyCodec, this.#prefix + prefix);
  }

  /** Runs `body` as one backend transaction (NOT_SUPPORTED without `supports.transactions`). */
  async transaction<T>(body: (tx: MapTransaction<K, V>) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const store = this.#store;
    store.assertOpen();
    if (typeof body !== 'function') throw argumentError('transaction takes a function');
    const adapter = {
      storeKey: (key: K) => this.#checkedKey(key),
      prepare: (storeKey: string, value: V, setOptions: SetOptions | undefined) =>
        this.#prepare(storeKey, value, setOptions),
    };
    return store.track(withRetry(() => runTransaction(store, adapter, body), { retries: options.retries ?? 0 }));
  }

  /** Asks the backend to make every acknowledged write durable now (its `flush`, where it has one). */
  async flush(): Promise<void> {
    const store = this.#store;
    store.assertOpen();
    const { backend } = store;
    if (backend.flush) await store.backendCall(() => backend.flush!());
  }

  /** Waits for writes in flight, stops the sweep, closes the backend. Idempotent; a view closes the whole map. */
  close(): Promise<void> {
    const store = this.#store;
    if (store.closing) return store.closing;
    // Stryker disable next-line StringLiteral: only STORE_CLOSED's message shows this state; every check is against 'open'
    store.state = 'closing';
    this.#sweeper.stop();
    store.closing = (async () => {
      try {
        // Transactions and sweeps may still queue writes, so they go first.
        while (store.active.size > 0) await Promise.allSettled([...store.active]);
        await store.queue.drain();
        await store.backendCall(() => store.backend.close());
      } finally {
        // Stryker disable next-line StringLiteral: as above, only STORE_CLOSED's message shows it
        store.state = 'closed';
      }
    })();
    return store.closing;
  }

  /** `await using map = ...` closes the map at the end of the block, as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** A snapshot of the counters kept since the map opened (cache hits and misses, backend calls, evictions, errors, expired). */
  stats(): MapStats {
    const { counters, cache } = this.#store;
    return { ...counters, evictions: cache.evictions, cachedEntries: cache.size };
  }

  // ---- conversions ----

  /** The backend key of `key`, type-checked only (the full check is `#checkedKey`). */
  #storeKey(key: K): string {
    let encoded: unknown;
    try {
      encoded = this.#keyCodec.encode(key);
    } catch (error) {
      if (StowageError.is(error)) throw error;
      throw new StowageError('INVALID_KEY', `the ${this.#keyCodec.name} key codec refused a key`, {
        origin: ORIGIN,
        cause: error,
      });
    }
    if (typeof encoded !== 'string') {
      // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
      throw new StowageError('INVALID_KEY', `a key must encode to a string, got ${typeof encoded}`, { origin: ORIGIN });
    }
    return this.#prefix + encoded;
  }

  #checkedKey(key: K): string {
    const storeKey = this.#plainKeys ? (key as unknown as string) : this.#storeKey(key);
    this.#store.checkKey(storeKey);
    return storeKey;
  }

  #userKey(storeKey: string): K {
    try {
      return this.#keyCodec.decode(storeKey.slice(this.#prefix.length));
    } catch (error) {
      throw new StowageError('DECODE_FAILED', `cannot decode the key "${storeKey}"`, {
        origin: ORIGIN,
        key: storeKey,
        cause: error,
      });
    }
  }

  #storeRange(range: MapRangeOptions): RangeOptions {
    assertValidRange(range, ORIGIN);
    const prefix = this.#prefix;
    const storeRange: { -readonly [P in keyof RangeOptions]: RangeOptions[P] } = {};
    if (range.gt !== undefined) storeRange.gt = prefix + range.gt;
    if (range.gte !== undefined) storeRange.gte = prefix + range.gte;
    if (range.lt !== undefined) storeRange.lt = prefix + range.lt;
    if (range.lte !== undefined) storeRange.lte = prefix + range.lte;
    const keyPrefix = prefix + (range.prefix ?? '');
    // Stryker disable next-line StringLiteral: a prefix '' bounds nothing, so setting it changes no scan
    if (keyPrefix !== '') storeRange.prefix = keyPrefix;
    if (range.reverse !== undefined) storeRange.reverse = range.reverse;
    if (range.limit !== undefined) storeRange.limit = range.limit;
    return storeRange;
  }

  #prepare(storeKey: string, value: V, options: SetOptions | undefined): PreparedSet<V> {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw argumentError('set options must be an object');
    }
    return this.#prepareWithExpiry(storeKey, value, options?.ttl === undefined ? NEVER : expiryOf(options.ttl));
  }

  #prepareWithExpiry(storeKey: string, value: V, expiresAt: number): PreparedSet<V> {
    if (value === undefined) {
      throw new StowageError('ENCODE_FAILED', `undefined cannot be stored (key "${storeKey}"); use delete`, {
        origin: ORIGIN,
        key: storeKey,
      });
    }
    let payload: unknown;
    try {
      payload = this.#codec.encode(value);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new StowageError('ENCODE_FAILED', `cannot encode the value for key "${storeKey}": ${why}`, {
        origin: ORIGIN,
        key: storeKey,
        cause: error,
      });
    }
    if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
      throw new StowageError('ENCODE_FAILED', `the ${this.#codec.name} codec returned neither a string nor bytes`, {
        origin: ORIGIN,
        key: storeKey,
      });
    }
    const stored = storedValue(payload, expiresAt === NEVER ? undefined : expiresAt, this.#store.keepsExpiry);
    return { key: storeKey, value: this.#asStored(value, payload), stored, expiresAt };
  }

  /**
   * The value a read after a restart would give: the codec's decoding of what is stored,
   * so a read never depends on whether the process restarted (JSON turns a Date into a
   * string and drops `undefined` members; the cache must not keep the original). Values
   * the built-in codecs carry exactly are kept as they are, sparing a decode per write.
   */
  #asStored(value: V, payload: EncodedValue): V | Undecoded<V> {
    if (this.#exactPrimitives && isExactPrimitive(value)) return value;
    return new Undecoded(payload, this.#decodeWritten);
  }

  /** Decodes what this map's codec just wrote (DECODE_FAILED for a codec that cannot read its own output). */
  readonly #decodeWritten = (payload: EncodedValue): V => {
    try {
      return this.#codec.decode(payload);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new StowageError(
        'DECODE_FAILED',
        `the ${this.#codec.name} codec cannot read back a value it wrote: ${why}`,
        {
          origin: ORIGIN,
          cause: error,
        },
      );
    }
  };

  #rewriteExpiry(storeKey: string, expiresAt: () => number): Promise<boolean> {
    const store = this.#store;
    return store.write(storeKey, async () => {
      const current = await store.current(storeKey);
      if (current.value === undefined) return false;
      await store.setNow(this.#prepareWithExpiry(storeKey, current.value, expiresAt()));
      return true;
    });
  }
}

/** The expiry of a write with `ttl` ms to live; Infinity means none. Throws INVALID_ARGUMENT. */
function expiryOf(ttl: unknown): number {
  if (ttl === Number.POSITIVE_INFINITY) return NEVER;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
    throw argumentError(`ttl must be a positive number of ms (or Infinity), got ${String(ttl)}`);
  }
  const expiresAt = Math.ceil(Date.now() + ttl);
  if (expiresAt > MAX_EXPIRES_AT) {
    throw argumentError(
      `ttl ${ttl} ends after the latest expiry a store can carry (${MAX_EXPIRES_AT} ms since 1970); use Infinity for none`,
    );
  }
  return expiresAt;
}

function isExactPrimitive(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // JSON writes -0 as 0 (and refuses NaN and ±Infinity); structured clone keeps every number.
      return !Object.is(value, -0);
    default:
      return value === null;
  }
}

/** `value` as an iterable, or INVALID_ARGUMENT naming the method (a string is refused: its characters are not keys). */
function iterableArgument<T>(value: Iterable<T>, method: string): Iterable<T> {
  const iterable = value as unknown;
  if (
    typeof iterable !== 'object' ||
    iterable === null ||
    typeof (iterable as Partial<Iterable<T>>)[Symbol.iterator] !== 'function'
  ) {
    throw argumentError(`${method} takes an iterable (an array, a Set, a Map...), got ${describe(iterable)}`);
  }
  return value;
}

// Stryker disable all: describe() only words INVALID_ARGUMENT messages
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value)}`;
  return typeof value;
}
// Stryker restore all

function argumentError(message: string): StowageError {
  // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
  return new StowageError('INVALID_ARGUMENT', message, { origin: ORIGIN });
}
