/**
 * Optimistic transactions. The body must not hold SQLite's write lock while it awaits
 * (plain writes of this process run meanwhile on the same connection and would land inside
 * it), so a transaction reads from a snapshot on a separate read-only connection, keeps its
 * writes in memory, and commits them in one IMMEDIATE transaction on the main connection
 * after checking that every key it read or wrote still holds what its snapshot held.
 *
 * Validation compares rows (value, type and expiry), not versions: if every key the
 * transaction depended on is unchanged at commit, committing then is equivalent to running
 * the whole body at that moment, so the result is serializable without a version column
 * that every plain write would pay for.
 */
import {
  type BackendTransaction,
  type BatchOperation,
  type EncodedValue,
  StowageError,
  type WriteOptions,
} from '@stowage/core';
import type { SqliteDatabase } from './driver.js';
import { origin } from './errors.js';
import { readValue } from './row-values.js';
import type { Statements } from './statements.js';

/** A stored row as SQLite returns it: `[value, expires_at]`, or undefined when absent. */
export type StoredRow = readonly [unknown, unknown] | undefined;

/** A read-only connection with its own statements, parked between transactions. */
export interface SnapshotReader {
  readonly database: SqliteDatabase;
  readonly statements: Statements;
}

/** What a transaction needs from its backend to check its arguments the same way. */
export interface TransactionChecks {
  readonly file: string;
  checkKey(key: unknown): asserts key is string;
  checkValue(value: unknown, key: string): asserts value is EncodedValue;
}

export class SnapshotTransaction implements BackendTransaction {
  readonly #reader: SnapshotReader;
  readonly #checks: TransactionChecks;
  /** Rows of the snapshot this transaction looked at, by key. */
  readonly #seen = new Map<string, StoredRow>();
  readonly #writes = new Map<string, BatchOperation>();
  #finished = false;

  /** Starts the snapshot now: the first read of a WAL read transaction fixes what it sees. */
  constructor(reader: SnapshotReader, checks: TransactionChecks) {
    this.#reader = reader;
    this.#checks = checks;
    reader.database.exec('BEGIN');
    reader.statements.has.get('');
  }

  async get(key: string): Promise<EncodedValue | undefined> {
    this.#assertRunning();
    this.#checks.checkKey(key);
    const written = this.#writes.get(key);
    if (written !== undefined) return written.type === 'set' ? written.value : undefined;
    const row = this.#snapshotRow(key);
    return row === undefined ? undefined : readValue(row[0], key, this.#checks.file);
  }

  async set(key: string, value: EncodedValue, options: WriteOptions = {}): Promise<void> {
    this.#assertRunning();
    this.#checks.checkKey(key);
    this.#checks.checkValue(value, key);
    const { expiresAt } = options;
    if (expiresAt !== undefined && !(typeof expiresAt === 'number' && Number.isFinite(expiresAt))) {
      throw new StowageError('INVALID_ARGUMENT', 'expiresAt must be a finite number of ms since the epoch', { origin });
    }
    this.#writes.delete(key); // keep the order of last writes
    this.#writes.set(
      key,
      expiresAt === undefined ? { type: 'set', key, value } : { type: 'set', key, value, expiresAt },
    );
  }

  async delete(key: string): Promise<boolean> {
    const present = (await this.get(key)) !== undefined;
    this.#writes.delete(key);
    this.#writes.set(key, { type: 'delete', key });
    return present;
  }

  /** Ends the body: no call is accepted after this. */
  finish(): void {
    this.#finished = true;
  }

  /** Every key read or written, with the row its snapshot held: what must be unchanged at commit. */
  expectations(): [string, StoredRow][] {
    for (const key of this.#writes.keys()) this.#snapshotRow(key);
    return [...this.#seen];
  }

  /** The writes, in the order of each key's last write. */
  operations(): BatchOperation[] {
    return [...this.#writes.values()];
  }

  #snapshotRow(key: string): StoredRow {
    if (this.#seen.has(key)) return this.#seen.get(key);
    const row = this.#reader.statements.row.get(key) as [unknown, unknown] | undefined;
    this.#seen.set(key, row);
    return row;
  }

  #assertRunning(): void {
    if (this.#finished) {
      throw new StowageError('INVALID_ARGUMENT', 'the transaction is over', { origin });
    }
  }
}

/** True when two stored rows hold the same value (same type and bytes) and the same expiry. */
export function sameRow(before: StoredRow, now: StoredRow): boolean {
  if (before === undefined || now === undefined) return before === now;
  if (before[1] !== now[1]) return false;
  const [a, b] = [before[0], now[0]];
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
}
