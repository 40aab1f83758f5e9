/**
 * The shape users hold: a Map with async writes. PersistentMap and its namespace views
 * both implement KeyValueMap, so code written against one works with the other.
 */

import type { RetryOptions } from '../contract/retry.js';
import type { RangeOptions, StorageBackend } from '../contract/storage-backend.js';
import type { Codec, KeyCodec } from './codecs.js';

/** Options of one write through the map. */
export interface SetOptions {
  /** Time to live in ms; the entry disappears once it passes. Omitted: no expiry. */
  readonly ttl?: number;
}

/** Bounded cache: least recently used entries are evicted past either limit. */
export interface LruCacheOptions {
  readonly mode: 'lru';
  /** Most entries kept in the cache (default 10,000). */
  readonly maxEntries?: number;
  /** Most bytes of encoded values kept in the cache (default 64 MiB). */
  readonly maxBytes?: number;
}

/** Full cache: every entry is loaded at open; reads never touch the backend. */
export interface FullCacheOptions {
  readonly mode: 'full';
}

/** No cache: every read goes to the backend, so writes of other processes are seen at once. */
export interface NoCacheOptions {
  readonly mode: 'none';
}

export type CacheOptions = FullCacheOptions | LruCacheOptions | NoCacheOptions;

export interface PersistentMapOptions<K, V> {
  /** Encodes values for the backend (default: JSON). */
  readonly codec?: Codec<V>;
  /** Encodes keys to backend strings (default: keys are strings as they are). */
  readonly keyCodec?: KeyCodec<K>;
  /** Cache mode (default `{ mode: 'full' }`). */
  readonly cache?: CacheOptions;
  /** How often expired entries are swept from the backend, in ms (default 1,000; 0 turns the timer off; at most 2,147,483,647). */
  readonly sweepInterval?: number;
}

/** Counters kept by a map since it opened. */
export interface MapStats {
  readonly hits: number;
  readonly misses: number;
  readonly backendReads: number;
  readonly backendWrites: number;
  readonly evictions: number;
  readonly errors: number;
  /** Entries removed by the TTL sweep. */
  readonly expired: number;
  /** Entries currently in the cache. */
  readonly cachedEntries: number;
}

/** Iteration bounds in the map's own key type; string bounds are compared after the key codec. */
export type MapRangeOptions = Omit<RangeOptions, 'gt' | 'gte' | 'lt' | 'lte' | 'prefix'> & {
  readonly gt?: string;
  readonly gte?: string;
  readonly lt?: string;
  readonly lte?: string;
  readonly prefix?: string;
};

/** The transaction view handed to `map.transaction(body)`. */
export interface MapTransaction<K, V> {
  get(key: K): Promise<V | undefined>;
  set(key: K, value: V, options?: SetOptions): Promise<void>;
  delete(key: K): Promise<boolean>;
}

export interface KeyValueMap<K, V> extends AsyncIterable<[K, V]>, AsyncDisposable {
  get(key: K): Promise<V | undefined>;
  set(key: K, value: V, options?: SetOptions): Promise<void>;
  delete(key: K): Promise<boolean>;
  has(key: K): Promise<boolean>;
  /** Number of live (unexpired) entries. */
  size(): Promise<number>;
  clear(): Promise<void>;

  getMany(keys: Iterable<K>): Promise<(V | undefined)[]>;
  setMany(entries: Iterable<readonly [K, V]>, options?: SetOptions): Promise<void>;
  /** Resolves to the number of keys that were present. */
  deleteMany(keys: Iterable<K>): Promise<number>;

  keys(range?: MapRangeOptions): AsyncIterableIterator<K>;
  values(range?: MapRangeOptions): AsyncIterableIterator<V>;
  entries(range?: MapRangeOptions): AsyncIterableIterator<[K, V]>;

  /**
   * Atomic read-modify-write within this process: `fn` sees the current value and its
   * result is written (undefined deletes). Concurrent updates of one key never lose one.
   */
  update(
    key: K,
    fn: (current: V | undefined) => V | undefined | Promise<V | undefined>,
    options?: SetOptions,
  ): Promise<V | undefined>;

  /** Sets a TTL on an existing entry; resolves false when the key is absent. */
  expire(key: K, ttl: number): Promise<boolean>;
  /** Remaining time to live in ms; undefined when absent, Infinity when it never expires. */
  ttl(key: K): Promise<number | undefined>;
  /** Removes the TTL of an entry; resolves false when the key is absent. */
  persist(key: K): Promise<boolean>;

  /** A view of the keys that start with `prefix`; nothing it does reaches outside it. */
  namespace(prefix: string): KeyValueMap<K, V>;

  /**
   * Runs `body` as one transaction of the backend (when `supports.transactions`); with
   * `retries`, runs it again after a CONFLICT. The cache shows the commit whole.
   */
  transaction<T>(body: (tx: MapTransaction<K, V>) => Promise<T>, options?: RetryOptions): Promise<T>;

  /** Makes every acknowledged write durable now. */
  flush(): Promise<void>;
  /** Waits for writes in flight, then closes the backend. Idempotent. */
  close(): Promise<void>;

  stats(): MapStats;
  readonly backend: StorageBackend;
}
