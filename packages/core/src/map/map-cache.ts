/**
 * The caches of PersistentMap. Both map a backend key to its decoded value and expiry.
 * The full cache holds every entry of the store, so a key it lacks is absent. The LRU
 * cache holds recent entries, and also recent absences (`value` undefined) so repeated
 * misses of one key cost one backend read; it evicts past `maxEntries` or `maxBytes`.
 */

import type { EncodedValue } from '../contract/storage-backend.js';

/** Expiry of an entry that never expires. */
export const NEVER = Number.POSITIVE_INFINITY;

export interface CacheEntry<V> {
  /** The decoded value; undefined records that the key is absent (LRU only). */
  readonly value: V | undefined;
  /** ms since the epoch; NEVER when the entry has no TTL. */
  readonly expiresAt: number;
  /** Bytes the entry is charged for: key plus encoded value, in UTF-8 bytes. */
  readonly bytes: number;
}

/**
 * A written value kept as the codec wrote it until its first read. The cache must give
 * what a read after a restart gives (the codec's decoding, not the caller's object), and
 * decoding on every write would double a write's codec cost; so the decode waits for a
 * read, which most written values of a write-heavy store never get.
 */
export class Undecoded<V> {
  constructor(
    readonly payload: EncodedValue,
    readonly decode: (payload: EncodedValue) => V,
  ) {}
}

/** What goes into a cache: a decoded value, or one still to decode. */
export interface StoredEntry<V> {
  readonly value: V | Undecoded<V> | undefined;
  readonly expiresAt: number;
  readonly bytes: number;
}

/** The decoded form of `value`. */
export function decoded<V>(value: V | Undecoded<V>): V {
  return value instanceof Undecoded ? value.decode(value.payload) : value;
}

export interface MapCache<V> {
  /** True when a key missing from the cache is missing from the store. */
  readonly complete: boolean;
  readonly size: number;
  readonly evictions: number;
  /** The entry of `key`, decoded, marking it recently used. */
  get(key: string): CacheEntry<V> | undefined;
  set(key: string, entry: StoredEntry<V>): void;
  delete(key: string): void;
  keys(): IterableIterator<string>;
  clear(prefix: string): void;
}

export class FullCache<V> implements MapCache<V> {
  readonly complete = true;
  readonly evictions = 0;
  /**
   * Values and expiries are kept apart, so a hit on an entry without a TTL is one Map
   * lookup that touches no entry object: on random reads over a large store that saved
   * memory access is a large part of a hit's cost. PersistentMap's hit path reads these
   * two maps directly; everything else writes them only through the methods below.
   */
  readonly values = new Map<string, V | Undecoded<V>>();
  /** Only the entries that have a TTL. */
  readonly expiries = new Map<string, number>();

  get size(): number {
    return this.values.size;
  }
  get(key: string): CacheEntry<V> | undefined {
    const value = this.values.get(key);
    if (value === undefined) return undefined;
    return { value: this.decodedValue(key, value), expiresAt: this.expiries.get(key) ?? NEVER, bytes: 0 };
  }
  /** `value` (held under `key`) decoded, keeping the decoded form for the next read. */
  decodedValue(key: string, value: V | Undecoded<V>): V {
    if (!(value instanceof Undecoded)) return value;
    const result = value.decode(value.payload);
    this.values.set(key, result);
    return result;
  }
  set(key: string, entry: StoredEntry<V>): void {
    if (entry.value === undefined) {
      this.delete(key);
      return;
    }
    this.values.set(key, entry.value);
    // Stryker disable next-line ConditionalExpression: an expiry of NEVER kept in `expiries` reads as no expiry on every path
    if (entry.expiresAt === NEVER) this.expiries.delete(key);
    else this.expiries.set(key, entry.expiresAt);
  }
  delete(key: string): void {
    this.values.delete(key);
    this.expiries.delete(key);
  }
  keys(): IterableIterator<string> {
    return this.values.keys();
  }
  clear(prefix: string): void {
    clearPrefix(this.values, prefix);
    clearPrefix(this.expiries, prefix);
  }
}

/**
 * One LRU entry: the stored entry's fields, its recency flag and its place in the list, in
 * one object. It is what `get` hands out, as a CacheEntry; a new write makes a new node, so
 * one handed out never changes but for its value being decoded in place.
 */
class LruNode<V> {
  used = false;
  older: LruNode<V> | undefined = undefined;
  newer: LruNode<V> | undefined = undefined;
  constructor(
    readonly key: string,
    public value: V | Undecoded<V> | undefined,
    readonly expiresAt: number,
    readonly bytes: number,
  ) {}
}

/**
 * Least-recently-used eviction done the CLOCK way ("second chance"), so a hit costs one
 * flag write instead of moving the entry: entries form a list from oldest to youngest,
 * eviction looks at the oldest, and one used since it was last looked at moves to the young
 * end instead. The list runs through the nodes themselves: a miss that evicts adds one
 * Map entry and removes one, and allocates nothing but its node. (A Map's own order with a
 * kept iterator as the hand, as before, allocated an iterator result and a [key, node] pair
 * per step, and every second chance re-inserted into the Map, whose table V8 then
 * reallocates; at 10,000 entries turning over, that garbage, promoted by the time it died,
 * raised the peak RSS above a full cache of the same store.)
 */
export class LruCache<V> implements MapCache<V> {
  readonly complete = false;
  #evictions = 0;
  #bytes = 0;
  readonly #nodes = new Map<string, LruNode<V>>();
  /** Ends of the list: the next to look at for eviction, and the most recently added. */
  #oldest: LruNode<V> | undefined;
  #youngest: LruNode<V> | undefined;
  readonly #maxEntries: number;
  readonly #maxBytes: number;

  constructor(maxEntries: number, maxBytes: number) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#nodes.size;
  }
  get evictions(): number {
    return this.#evictions;
  }

  get(key: string): CacheEntry<V> | undefined {
    const node = this.#nodes.get(key);
    if (node === undefined) return undefined;
    node.used = true;
    const { value } = node;
    if (value instanceof Undecoded) node.value = value.decode(value.payload);
    return node as CacheEntry<V>;
  }

  set(key: string, entry: StoredEntry<V>): void {
    this.delete(key);
    if (entry.bytes > this.#maxBytes) return; // it would evict everything else
    const node = new LruNode<V>(key, entry.value, entry.expiresAt, entry.bytes);
    this.#nodes.set(key, node);
    this.#append(node);
    this.#bytes += entry.bytes;
    this.#evictOverLimit(node);
  }

  delete(key: string): void {
    const node = this.#nodes.get(key);
    if (node === undefined) return;
    this.#nodes.delete(key);
    this.#unlink(node);
    this.#bytes -= node.bytes;
  }

  keys(): IterableIterator<string> {
    return this.#nodes.keys();
  }

  clear(prefix: string): void {
    for (const key of [...this.#nodes.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  /**
   * Evicts the oldest entries not used since they were last looked at until the cache is
   * within its limits; never `keep` (the one just added, which alone fits).
   */
  #evictOverLimit(keep: LruNode<V>): void {
    // Each step evicts the oldest entry or gives it a second chance, which clears its flag:
    // every other entry is looked at twice at most and `keep` twice at most, so 2 * size
    // steps always suffice, and the bound turns a step that would never evict into an
    // over-full cache rather than an endless loop.
    // Stryker disable next-line UpdateOperator: the bound is never reached, so counting it up instead never ends the loop sooner
    for (let steps = 2 * this.#nodes.size; steps > 0 && this.#overLimit(); steps--) {
      const node = this.#oldest!;
      if (node === keep || node.used) {
        // Second chance: to the young end, where eviction meets it again later.
        node.used = false;
        this.#unlink(node);
        this.#append(node);
        continue;
      }
      this.delete(node.key);
      this.#evictions++;
    }
  }

  #overLimit(): boolean {
    return this.#nodes.size > this.#maxEntries || this.#bytes > this.#maxBytes;
  }

  #append(node: LruNode<V>): void {
    node.older = this.#youngest;
    node.newer = undefined;
    if (this.#youngest === undefined) this.#oldest = node;
    else this.#youngest.newer = node;
    this.#youngest = node;
  }

  #unlink(node: LruNode<V>): void {
    if (node.older === undefined) this.#oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === undefined) this.#youngest = node.older;
    else node.newer.older = node.older;
    node.older = undefined;
    node.newer = undefined;
  }
}

/**
 * No cache at all (`cache: { mode: 'none' }`): every read goes to the backend (concurrent
 * reads of one key still share one backend read), so a map sees what other processes wrote
 * as soon as the backend does.
 */
export class NoCache<V> implements MapCache<V> {
  readonly complete = false;
  readonly size = 0;
  readonly evictions = 0;
  // Stryker disable next-line BlockStatement: an empty body returns undefined too
  get(_key: string): CacheEntry<V> | undefined {
    return undefined;
  }
  set(_key: string, _entry: StoredEntry<V>): void {}
  delete(_key: string): void {}
  keys(): IterableIterator<string> {
    return [][Symbol.iterator]();
  }
  clear(_prefix: string): void {}
}

function clearPrefix(entries: Map<string, unknown>, prefix: string): void {
  // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: a speed-up only; every key starts with ''
  if (prefix === '') {
    entries.clear();
    return;
  }
  for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
}
