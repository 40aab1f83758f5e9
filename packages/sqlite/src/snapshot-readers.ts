/**
 * The read-only connections that give transactions their snapshots (see
 * snapshot-transaction.ts). Opening one costs a file open and a schema read, so a few are
 * kept between transactions; one more is opened whenever all are in use.
 */
import { openDatabase } from './driver.js';
import type { SnapshotReader } from './snapshot-transaction.js';
import { Statements } from './statements.js';

export class SnapshotReaders {
  readonly #file: string;
  readonly #table: string;
  readonly #busyTimeout: number;
  readonly #keep: number;
  readonly #idle: SnapshotReader[] = [];

  constructor(file: string, table: string, busyTimeout: number, keep = 4) {
    this.#file = file;
    this.#table = table;
    this.#busyTimeout = busyTimeout;
    this.#keep = keep;
  }

  /** An idle reader, or a new one (throws what better-sqlite3 throws). */
  acquire(): SnapshotReader {
    const idle = this.#idle.pop();
    if (idle !== undefined) return idle;
    const database = openDatabase(this.#file, { readonly: true, timeout: this.#busyTimeout });
    try {
      return { database, statements: new Statements(database, this.#table) };
    } catch (error) {
      database.close();
      throw error;
    }
  }

  /** Ends the reader's snapshot and keeps it for the next transaction, or closes it. */
  release(reader: SnapshotReader): void {
    try {
      if (reader.database.inTransaction) reader.database.exec('ROLLBACK');
    } catch {
      reader.database.close();
      return;
    }
    if (this.#idle.length < this.#keep) this.#idle.push(reader);
    else reader.database.close();
  }

  closeAll(): void {
    for (const reader of this.#idle.splice(0)) reader.database.close();
  }
}
