/**
 * The contract between PersistentMap and a storage engine. A backend stores strings
 * (keys) mapped to already-encoded values; it never sees user values or codecs.
 * Required: open, close, get, set, delete, entries. Everything else is an optional fast
 * path the map falls back from (see `fallbacks.ts`), or an ability declared in `supports`.
 */

/** A value after the codec: text or bytes. A backend returns it as the same type it was given. */
export type EncodedValue = string | Uint8Array;

/**
 * The version of this contract. A backend states the version it was written against in
 * `contractVersion` (AbstractBackend does so for its engines); PersistentMap refuses a
 * backend that speaks a newer version than this copy of core knows. Absent means 1.
 * - 1: the first contract.
 * - 2: optional abilities validated by AbstractBackend before their hooks; a transaction
 *   body's own error passes by identity; every other failure is a StowageError.
 * - 3: `supports.storesExpiry` with `getWithExpiry`/`entriesWithExpiry` (and the
 *   transaction view's `getWithExpiry`): a backend that keeps expiries itself is handed
 *   bare values, without core's TTL envelope.
 */
export const CONTRACT_VERSION = 3;

/** How durable an acknowledged write is. */
export type DurabilityLevel =
  /** Left to the operating system: survives a process crash, not a power cut. */
  | 'none'
  /** Group commit: writes that arrive together share one fsync before they resolve. */
  | 'batch'
  /** fsync before each write resolves (still shared by writes that arrive together). */
  | 'always';

/** Every DurabilityLevel, weakest first. A manifest's `durability` holds only these. */
export const DURABILITY_LEVELS: readonly DurabilityLevel[] = Object.freeze(['none', 'batch', 'always']);

/** What a backend offers, readable at run time by code and by the conformance kit. */
export interface BackendSupports {
  /** Data survives close and reopen. */
  readonly persistent: boolean;
  /** `entries`/`keys` yield keys in ascending code-point order and honour `reverse`. */
  readonly orderedIteration: boolean;
  /** `apply` writes all of its operations or none of them, also across a crash. */
  readonly atomicBatch: boolean;
  /** `transaction` is offered, with snapshot reads and conflict detection. */
  readonly transactions: boolean;
  /** `versions` and `getVersion` are offered. */
  readonly versions: boolean;
  /** The backend indexes `expiresAt` and offers `sweepExpired`. */
  readonly nativeTtl: boolean;
  /**
   * The backend keeps each entry's `expiresAt` beside its value (a column, a field) and
   * returns it through `getWithExpiry` and `entriesWithExpiry`. Core then hands it bare
   * values instead of wrapping them in its TTL envelope, so what the backend stores is the
   * codec's output alone. Needs `nativeTtl`. Absent means false.
   */
  readonly storesExpiry?: boolean;
  /** `get` never answers for a key that was not set (false for approximate maplets). */
  readonly exactMembership: boolean;
  /** Several processes may open the same store at once. */
  readonly multiProcess: boolean;
  /**
   * The durability this instance gives acknowledged writes, as configured: usually one
   * level; several when the engine lets each call choose. Empty when not persistent.
   * Only DurabilityLevel names (AbstractBackend refuses others): an engine may accept its
   * own names in its options, as documented aliases resolved by `resolveDurability`.
   */
  readonly durability: readonly DurabilityLevel[];
  /** Largest key, in UTF-8 bytes, that the backend accepts. */
  readonly maxKeyBytes: number;
  /** Largest encoded value, in bytes, that the backend accepts. */
  readonly maxValueBytes: number;
}

/** Options of one write. */
export interface WriteOptions {
  /**
   * Absolute expiry time in ms since the epoch. Unless the backend declares
   * `supports.storesExpiry`, core also carries the expiry inside the encoded value (see
   * `envelope.ts`), so such a backend may ignore this hint; a backend with
   * `supports.nativeTtl` indexes it so `sweepExpired` is cheap; one with
   * `supports.storesExpiry` must keep it and give it back on reads.
   */
  readonly expiresAt?: number;
}

/** A place in a file: 1-based line and column. */
export interface StoredLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A stored value with its expiry, as a backend with `supports.storesExpiry` reads it back. */
export interface ExpiringValue {
  readonly value: EncodedValue;
  /** Absolute expiry in ms since the epoch; undefined: never. Reported whether or not it has passed. */
  readonly expiresAt: number | undefined;
}

/** Bounds of an iteration. Every backend honours them; order and `reverse` only where `orderedIteration`. */
export interface RangeOptions {
  readonly gt?: string;
  readonly gte?: string;
  readonly lt?: string;
  readonly lte?: string;
  /** Only keys that start with this prefix. */
  readonly prefix?: string;
  /** Descending order (ordered backends only). */
  readonly reverse?: boolean;
  /** At most this many entries. */
  readonly limit?: number;
}

/** One operation of a batch. */
export type BatchOperation =
  | { readonly type: 'set'; readonly key: string; readonly value: EncodedValue; readonly expiresAt?: number }
  | { readonly type: 'delete'; readonly key: string };

/** One stored version of a key, for backends with `supports.versions`. */
export interface VersionInfo {
  /** Monotonic sequence number of the write; larger is newer. */
  readonly sequence: number;
  /** Wall-clock time of the write in ms since the epoch (informational only, never decides visibility). */
  readonly timestamp: number;
  /** True when this version is a deletion. */
  readonly deleted: boolean;
}

/** The view of the store inside a transaction: a snapshot plus the transaction's own writes. */
export interface BackendTransaction {
  get(key: string): Promise<EncodedValue | undefined>;
  set(key: string, value: EncodedValue, options?: WriteOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** `get` with the entry's expiry, for backends with `supports.storesExpiry`. */
  getWithExpiry?(key: string): Promise<ExpiringValue | undefined>;
}

export type LifecycleState = 'new' | 'opening' | 'open' | 'closing' | 'closed';

export interface StorageBackend {
  /** A short name for messages, e.g. `sqlite`. */
  readonly name: string;
  /**
   * The contract version the backend was written against (see CONTRACT_VERSION); absent
   * means 1. PersistentMap refuses a version newer than the one it knows.
   */
  readonly contractVersion?: number;
  readonly supports: BackendSupports;
  /** Where the store is in its lifecycle: new → opening → open → closing → closed. */
  readonly state: LifecycleState;

  /** Opens the store. Concurrent calls share one opening; after a failed open it may be called again. */
  open(): Promise<void>;
  /** Makes every acknowledged write durable and releases the store. Idempotent. */
  close(): Promise<void>;

  /** The value of `key`, or undefined when absent. */
  get(key: string): Promise<EncodedValue | undefined>;
  /** Stores `value` under `key`; resolves once the write is as durable as configured. */
  set(key: string, value: EncodedValue, options?: WriteOptions): Promise<void>;
  /** Removes `key`; resolves true when it was present. */
  delete(key: string): Promise<boolean>;
  /** Every entry within `range` (all when omitted). Ordered where `supports.orderedIteration`. */
  entries(range?: RangeOptions): AsyncIterable<[string, EncodedValue]>;

  // ---- optional fast paths: PersistentMap falls back to the methods above ----

  /** Every key within `range`, without reading values. */
  keys?(range?: RangeOptions): AsyncIterable<string>;
  /** True when `key` is present. */
  has?(key: string): Promise<boolean>;
  /** The values of `keys`, in the same order. */
  getMany?(keys: readonly string[]): Promise<(EncodedValue | undefined)[]>;
  /** Applies every operation in order; all or nothing where `supports.atomicBatch`. */
  apply?(operations: readonly BatchOperation[]): Promise<void>;
  /** The number of entries (including entries whose TTL passed but are not swept yet). */
  size?(): Promise<number>;
  /** Removes every entry within `range` (all when omitted). */
  clear?(range?: RangeOptions): Promise<void>;
  /** Makes every acknowledged write durable now (fsync, checkpoint, compaction of a journal). */
  flush?(): Promise<void>;
  /**
   * Where a person finds the stored value of `key` (a file a person may edit, such as a
   * CSV), for error messages: core names it when that value cannot be decoded.
   */
  locate?(key: string): StoredLocation | undefined;

  // ---- optional abilities, declared in `supports` ----

  /** Deletes entries whose `expiresAt` is at or before `now`; returns how many (`supports.nativeTtl`). */
  sweepExpired?(now: number): Promise<number>;
  /**
   * Runs `body` as one optimistic transaction (`supports.transactions`): reads see a
   * snapshot plus the transaction's own writes; the commit is atomic and fails with
   * CONFLICT when a key it read or wrote was committed by someone else after the snapshot.
   * The body must not block plain writes: PersistentMap holds the written keys' write
   * queues around the commit, so a backend that locks out writers during a body deadlocks.
   */
  transaction?<T>(body: (tx: BackendTransaction) => Promise<T>): Promise<T>;
  /**
   * The value of `key` with its expiry (`supports.storesExpiry`). An expired entry not yet
   * swept is returned with its past expiry: the caller decides what is live.
   */
  getWithExpiry?(key: string): Promise<ExpiringValue | undefined>;
  /** `entries` with each entry's expiry (`supports.storesExpiry`), under the same range rules. */
  entriesWithExpiry?(range?: RangeOptions): AsyncIterable<[string, ExpiringValue]>;
  /** Every version of `key` still stored, oldest first (`supports.versions`). */
  versions?(key: string): Promise<VersionInfo[]>;
  /** The value of `key` as written by the write with `sequence`; undefined for a deletion or when gone. */
  getVersion?(key: string, sequence: number): Promise<EncodedValue | undefined>;
}
