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
  /** Selects the bounded cache. */
  readonly mode: 'lru';
  /** Most entries kept in the cache (default 10,000). */
  readonly maxEntries?: number;
  /** Most bytes of encoded values kept in the cache (default 64 MiB). */
  readonly maxBytes?: number;
}

/** Full cache: every entry is loaded at open; reads never touch the backend. */
export interface FullCacheOptions {
  /** Selects the full cache (the default). */
  readonly mode: 'full';
}

/** No cache: every read goes to the backend, so writes of other processes are seen at once. */
export interface NoCacheOptions {
  /** Selects read-through: no cache at all. */
  readonly mode: 'none';
}

/** How a map caches values: `{ mode: 'full' }` (default), `{ mode: 'lru', ... }` or `{ mode: 'none' }`. */
export type CacheOptions = FullCacheOptions | LruCacheOptions | NoCacheOptions;

/** Options of `PersistentMap.open(backend, options)`; an unknown option name is `INVALID_CONFIG`. */
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
  /** Reads answered by the cache, known absences included (every read in full mode). */
  readonly hits: number;
  /** Reads that went to the backend. */
  readonly misses: number;
  /** Backend read calls (get, getMany; a scan counts once). */
  readonly backendReads: number;
  /** Backend write calls (set, delete, apply, clear, a committed transaction, a native sweep). */
  readonly backendWrites: number;
  /** Entries evicted from the LRU cache. */
  readonly evictions: number;
  /** Failed backend calls and undecodable values. */
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
  /** The value as this transaction sees it: its own writes first, else the snapshot. */
  get(key: K): Promise<V | undefined>;
  /** Writes `value` when the transaction commits (nothing of it shows before). */
  set(key: K, value: V, options?: SetOptions): Promise<void>;
  /** Deletes `key` when the transaction commits; true when present as this transaction sees it. */
  delete(key: K): Promise<boolean>;
}

/** The Map-like API of `PersistentMap` and its namespace views. */
export interface KeyValueMap<K, V> extends AsyncIterable<[K, V]>, AsyncDisposable {
  /** The value of `key`; undefined when absent or expired. */
  get(key: K): Promise<V | undefined>;
  /** Stores `value` (with `options.ttl` ms to live); resolves once the backend acknowledged it. */
  set(key: K, value: V, options?: SetOptions): Promise<void>;
  /** Removes `key`; true when it was present. */
  delete(key: K): Promise<boolean>;
  /** True when `key` holds a live (unexpired) value. */
  has(key: K): Promise<boolean>;
  /** Number of live (unexpired) entries. */
  size(): Promise<number>;
  /** Removes every entry (of this namespace, for a view). */
  clear(): Promise<void>;

  /** The values of `keys`, in order; undefined for absent ones. */
  getMany(keys: Iterable<K>): Promise<(V | undefined)[]>;
  /** Writes every entry (atomically where the backend's `supports.atomicBatch`). */
  setMany(entries: Iterable<readonly [K, V]>, options?: SetOptions): Promise<void>;
  /** Resolves to the number of keys that were present. */
  deleteMany(keys: Iterable<K>): Promise<number>;

  /** The keys of the live entries within `range`. */
  keys(range?: MapRangeOptions): AsyncIterableIterator<K>;
  /** The values of the live entries within `range`. */
  values(range?: MapRangeOptions): AsyncIterableIterator<V>;
  /** The live entries within `range` (ordered, and `reverse` honoured, only on backends with `supports.orderedIteration`). */
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

  /** A snapshot of the counters kept since the map opened. */
  stats(): MapStats;
  /** The backend the map owns. */
  readonly backend: StorageBackend;
}
