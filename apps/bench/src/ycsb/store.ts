/**
 * What YCSB asks of a store, and the subjects it runs on. A store reads, writes (YCSB's
 * insert and update are both a write of a whole record here: a key-value store has no
 * fields), loads records in chunks, and scans `count` records in key order from a start
 * key when it can; `cannotScan` says why not, and workload E shows that instead of a figure.
 * Sync calls (better-sqlite3, lmdb's get) are measured as a user makes them, without await.
 */

/** A YCSB record: ten fields as the application holds them, and the same as JSON text. */
export interface YcsbRecord {
  readonly value: Readonly<Record<string, string>>;
  readonly json: string;
}

export interface YcsbStore {
  /** The record of `key` (undefined when absent). */
  read(key: string): unknown;
  write(key: string, record: YcsbRecord): unknown;
  /** Writes many records the fastest way the subject offers (the load phase). */
  load(records: readonly (readonly [string, YcsbRecord])[]): unknown;
  /** Reads up to `count` records in key order from `start` on and returns how many it read. */
  scan?(start: string, count: number): number | Promise<number>;
  /** Why `scan` is missing. */
  readonly cannotScan?: string;
  /**
   * How `load` differs from what a user of the store gets by default, when it does (the
   * table marks that subject's load figure and prints this under it).
   */
  readonly loadNote?: string;
  close(): Promise<void>;
}

export type YcsbGroup = 'stowage' | 'peer';

export interface YcsbSubject {
  readonly id: string;
  readonly label: string;
  readonly group: YcsbGroup;
  /** Opens a store in `dir` (empty), or says why this subject cannot run here. */
  prepare(): Promise<{ open(dir: string): Promise<YcsbStore> } | { unavailable: string }>;
}
