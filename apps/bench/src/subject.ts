/**
 * What the bench knows about a thing it measures. A subject is one small adapter: it says
 * which workloads it can run and opens a store in a directory it is given. Stores are typed
 * by the operations the workloads use, so a peer's API never leaks past its adapter.
 */
import type { Entry } from './data.js';

export type WorkloadId =
  | 'set-seq'
  | 'set-chunk'
  | 'concurrent-set'
  | 'open'
  | 'get-existing'
  | 'get-missing'
  | 'iterate'
  | 'disk-size'
  | 'peak-memory';

export const allWorkloads: readonly WorkloadId[] = [
  'set-seq',
  'set-chunk',
  'concurrent-set',
  'open',
  'get-existing',
  'get-missing',
  'iterate',
  'disk-size',
  'peak-memory',
];

/**
 * An open store. Writes come in an async or a sync flavour: a peer whose API is synchronous
 * (a Map, better-sqlite3, lmdb's get) is measured as a user would call it, without an await.
 * Each store offers exactly one of `set`/`setSync` and one of `get`/`getSync`.
 */
export interface Store {
  set?(entry: Entry): Promise<unknown>;
  setSync?(entry: Entry): void;
  /** Writes a chunk (1,000 entries) the fastest way the subject offers: batch, apply, transaction. */
  setChunk(entries: readonly Entry[]): Promise<void> | void;
  get?(key: string): Promise<unknown>;
  getSync?(key: string): unknown;
  /** Reads every entry (values included) and counts them; may stop early once `shouldStop()` says so. */
  iterate(shouldStop: () => boolean): Promise<number>;
  close(): Promise<void>;
}

export type SubjectGroup = 'reference' | 'stowage' | 'peer';

export interface Subject {
  /** Short id used on the command line and in result files. */
  readonly id: string;
  /** What a reader sees in tables. */
  readonly label: string;
  readonly group: SubjectGroup;
  /** Data survives close and reopen, so open time, size on disk and gets after reopening mean something. */
  readonly persistent: boolean;
  /** The workloads this subject is measured on. */
  readonly workloads: readonly WorkloadId[];
  /**
   * Loads what the subject needs (a workspace engine, a native addon). Resolves to a way to
   * open stores, or to the reason the subject is skipped; it never throws for a missing piece.
   */
  prepare(): Promise<Opener | Unavailable>;
}

export interface Opener {
  readonly available: true;
  /** Opens (creating when empty) a store whose files live in `dir`, an existing empty or earlier-used directory. */
  open(dir: string): Promise<Store>;
}

export interface Unavailable {
  readonly available: false;
  readonly reason: string;
}

/** Every workload except those that need data to survive a reopen. */
export const volatileWorkloads: readonly WorkloadId[] = [
  'set-seq',
  'set-chunk',
  'concurrent-set',
  'get-existing',
  'get-missing',
  'iterate',
  'peak-memory',
];
