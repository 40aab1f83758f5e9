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
  AbstractTransaction,
  type BackendSupports,
  type BatchOperation,
  type EncodedValue,
  type ExpiringValue,
  type WriteOptions,
} from '@stowage/core';
import type { SqliteDatabase } from './driver.js';
import { origin, sqliteError } from './errors.js';
import { expiringValue, readValue } from './row-values.js';
import type { Statements } from './statements.js';

/** A stored row as SQLite returns it: `[value, expires_at]`, or undefined when absent. */
export type StoredRow = readonly [unknown, unknown] | undefined;

/** A read-only connection with its own statements, parked between transactions. */
export interface SnapshotReader {
  readonly database: SqliteDatabase;
  readonly statements: Statements;
}

/** Applies a transaction's writes if every expected row is unchanged, else throws CONFLICT. */
export type CommitWrites = (expected: [string, StoredRow][], operations: BatchOperation[]) => void;

/**
 * The view a body gets. Argument checks, the finished-guard and the body's own error are
 * core's (AbstractTransaction); this class only reads the snapshot, keeps the writes and
 * hands both to `commit`.
 */
export class SnapshotTransaction extends AbstractTransaction {
  readonly #reader: SnapshotReader;
  readonly #file: string;
  readonly #commit: CommitWrites;
  /** Rows of the snapshot this transaction looked at, by key. */
  readonly #seen = new Map<string, StoredRow>();
  readonly #writes = new Map<string, BatchOperation>();

  /** Starts the snapshot now: the first read of a WAL read transaction fixes what it sees. */
  constructor(
    reader: SnapshotReader,
    file: string,
    limits: Pick<BackendSupports, 'maxKeyBytes' | 'maxValueBytes'>,
    commit: CommitWrites,
  ) {
    super(origin, limits);
    this.#reader = reader;
    this.#file = file;
    this.#commit = commit;
    reader.database.exec('BEGIN');
    reader.statements.has.get('');
  }

  protected _get(key: string): EncodedValue | undefined {
    const written = this.#writes.get(key);
    if (written !== undefined) return written.type === 'set' ? written.value : undefined;
    const row = this.#snapshotRow(key);
    return row === undefined ? undefined : readValue(row[0], key, this.#file);
  }

  protected override _getWithExpiry(key: string): ExpiringValue | undefined {
    const written = this.#writes.get(key);
    if (written !== undefined) {
      return written.type === 'set' ? { value: written.value, expiresAt: written.expiresAt } : undefined;
    }
    const row = this.#snapshotRow(key);
    return row === undefined ? undefined : expiringValue(row[0], row[1], key, this.#file);
  }

  protected _set(key: string, value: EncodedValue, options: WriteOptions): void {
    const { expiresAt } = options;
    this.#writes.delete(key); // keep the order of last writes
    this.#writes.set(
      key,
      expiresAt === undefined ? { type: 'set', key, value } : { type: 'set', key, value, expiresAt },
    );
  }

  protected _delete(key: string): boolean {
    const present = this._get(key) !== undefined;
    this.#writes.delete(key);
    this.#writes.set(key, { type: 'delete', key });
    return present;
  }

  /** Every key read or written must still hold the row its snapshot held; then the writes, in the order of each key's last write. */
  protected _commit(): void {
    for (const key of this.#writes.keys()) this.#snapshotRow(key);
    this.#commit([...this.#seen], [...this.#writes.values()]);
  }

  #snapshotRow(key: string): StoredRow {
    if (this.#seen.has(key)) return this.#seen.get(key);
    let row: [unknown, unknown] | undefined;
    try {
      row = this.#reader.statements.row.get(key) as [unknown, unknown] | undefined;
    } catch (error) {
      throw sqliteError(error, this.#file, key);
    }
    this.#seen.set(key, row);
    return row;
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
