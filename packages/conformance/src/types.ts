/**
 * The shapes of the kit: what an engine hands to `describeBackend`, what a case is, and
 * the context a case runs in. A case is a plain object so the kit's own self-test can run
 * it directly against broken backends, without vitest.
 */
import type {
  BackendSupports,
  BatchOperation,
  EncodedValue,
  KeyValueMap,
  RangeOptions,
  StorageBackend,
} from '@stowage/core';

export interface BackendKitOptions {
  /** Shown in the report, e.g. `sqlite`. */
  readonly name: string;
  /** A fresh, isolated backend that is not opened yet. */
  readonly create: () => StorageBackend | Promise<StorageBackend>;
  /** Persistent engines: a new instance on the same files as `previous`, after `previous` was closed. */
  readonly reopen?: (previous: StorageBackend) => StorageBackend | Promise<StorageBackend>;
  /**
   * File engines: a module exporting `createBackend(dir: string): StorageBackend`
   * (or `exportName`), loaded by a child process that the crash cases kill.
   */
  readonly crash?: {
    readonly module: string;
    readonly exportName?: string;
    /**
     * With `maintenance` given: the module's export (default `maintenance`) of an
     * `(backend) => Promise<void>` that the crash child runs over and over while it writes.
     * The child then calls `createBackend(dir, { maintenance: true })`, so the module can
     * choose tiny thresholds.
     */
    readonly maintenanceExportName?: string;
  };
  /**
   * Engines with background work (merge, compaction, resize): the kit's maintenance section
   * runs `run` over and over while writes, deletes and reads go on.
   */
  readonly maintenance?: KitMaintenance;
  /**
   * Approximate engines (`supports.exactMembership: false`): the false-positive rate the
   * engine promises. Enables the approximate-membership case (no false negative, measured
   * rate within it); the exact-answer cases are skipped for such an engine.
   */
  readonly approximate?: { readonly falsePositiveRate: number };
  readonly options?: {
    /** Multiplies the size of the heavy cases (100,000 keys, 1,000 operations); default 1. */
    readonly scale?: number;
  };
}

export interface KitMaintenance {
  /** One round of the engine's background work on an open backend (e.g. `backend.merge()`). */
  run(backend: StorageBackend): Promise<void>;
  /** A fresh, unopened backend with thresholds tiny enough that maintenance has real work; default `create`. */
  create?(): StorageBackend | Promise<StorageBackend>;
}

/** Where a case drives the store: the raw backend, or PersistentMap in one cache mode. */
/**
 * `map-namespace` reruns the cases through `map.namespace('ns:')` of a full-cache map, with
 * a key outside the namespace that must survive every case untouched (as abstract-level
 * reruns its suite on a sublevel).
 */
export type Mode = 'raw' | 'map-full' | 'map-lru' | 'map-namespace';
export const allModes: readonly Mode[] = ['raw', 'map-full', 'map-lru', 'map-namespace'];
/** The modes of heavy cases: the namespace rerun would add time and prove nothing new there. */
export const baseModes: readonly Mode[] = ['raw', 'map-full', 'map-lru'];
export const mapModes: readonly Mode[] = ['map-full', 'map-lru'];

/**
 * What a case stores: core's encoded values at raw level; through the map, the same via a
 * type-preserving codec.
 */
export type Value = EncodedValue;

/** One operation of a batch: core's own type, not a copy of it. */
export type SubjectOperation = BatchOperation;

/** Bounds of an iteration: core's own type, not a copy of it. */
export type IterationRange = RangeOptions;

/**
 * One open store, raw or through the map, behind one interface so a case is written once.
 * Raw subjects fall back to the required methods where an optional fast path is absent.
 */
export interface Subject {
  readonly mode: Mode;
  /** The backend underneath (for a map subject: the map's backend). */
  readonly backend: StorageBackend;
  /** The map, for map subjects. */
  readonly map: KeyValueMap<string, Value> | undefined;
  get(key: string): Promise<Value | undefined>;
  set(key: string, value: Value): Promise<void>;
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  getMany(keys: readonly string[]): Promise<(Value | undefined)[]>;
  apply(operations: readonly SubjectOperation[]): Promise<void>;
  size(): Promise<number>;
  clear(): Promise<void>;
  entries(range?: IterationRange): Promise<[string, Value][]>;
  keys(range?: IterationRange): Promise<string[]>;
  flush(): Promise<void>;
  close(): Promise<void>;
  /**
   * Every entry as the backend itself holds it (for a map subject: read past the cache and
   * decoded), so a map's cache cannot hide what the backend lost.
   */
  stored(): Promise<Map<string, Value>>;
}

export interface CaseContext {
  readonly mode: Mode;
  readonly supports: BackendSupports;
  /** The engine's options as given to `describeBackend`. */
  readonly kit: BackendKitOptions;
  /** Multiplier of heavy cases (from `options.scale`). */
  readonly scale: number;
  /** Opens a fresh, isolated store in this case's mode. Closed after the case. */
  open(): Promise<Subject>;
  /** Closes `subject` and opens the same store again (needs `reopen`). */
  reopen(subject: Subject): Promise<Subject>;
  /** Opens `backend` (if needed) as a subject in this case's mode. Closed after the case. */
  openOn(backend: StorageBackend): Promise<Subject>;
  /** A fresh raw backend, not opened. Closed after the case. */
  createBackend(): Promise<StorageBackend>;
  /** Opens (if needed) `backend` and a PersistentMap on it with the kit's defaults for this mode, overridable. */
  openMap<V>(backend: StorageBackend, options?: Record<string, unknown>): Promise<KeyValueMap<string, V>>;
  /** Runs `cleanup` after the case, pass or fail. */
  defer(cleanup: () => unknown): void;
}

export interface KitCase {
  /** Named for the behaviour it proves. */
  readonly name: string;
  /** The modes it runs in (default: all three). */
  readonly modes?: readonly Mode[];
  /** False skips the case (visible as skipped). Default: always runs. */
  readonly gate?: (supports: BackendSupports, kit: BackendKitOptions) => boolean;
  /** Throws when the backend fails the case. */
  run(context: CaseContext): Promise<void>;
  /** Generous per-case timeout in ms for heavy cases. */
  readonly timeout?: number;
}
