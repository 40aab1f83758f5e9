/**
 * Raw better-sqlite3 as a careful user would set it up: WAL, synchronous = NORMAL, a
 * WITHOUT ROWID table, statements prepared once. A lone set is an autocommit insert; a
 * chunk is one transaction. Every call is synchronous, as the library is.
 */
import { join } from 'node:path';
import type { Entry } from '../data.js';
import { exportsFunctions, loadOptional } from '../load-optional.js';
import { allWorkloads, type Store, type Subject } from '../subject.js';

/** The part of better-sqlite3's API used here. */
interface Statement {
  run(...parameters: unknown[]): unknown;
  get(...parameters: unknown[]): unknown;
  iterate(...parameters: unknown[]): IterableIterator<unknown>;
  pluck(): Statement;
  raw(): Statement;
}
interface Database {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  prepare(source: string): Statement;
  transaction<A extends unknown[]>(body: (...args: A) => void): (...args: A) => void;
  close(): void;
}
type DatabaseConstructor = new (file: string) => Database;

export const betterSqlite3: Subject = {
  id: 'better-sqlite3',
  label: 'better-sqlite3 (WAL, NORMAL)',
  group: 'peer',
  persistent: true,
  workloads: allWorkloads.filter((workload) => workload !== 'concurrent-set'),
  async prepare() {
    const loaded = await loadOptional<{ default: DatabaseConstructor }>('better-sqlite3', exportsFunctions('default'));
    if (!loaded.ok) return { available: false, reason: loaded.reason };
    const Sqlite = loaded.module.default;
    return { available: true, open: async (dir) => openDatabase(new Sqlite(join(dir, 'peer.db'))) };
  },
};

function openDatabase(db: Database): Store {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const upsert = db.prepare(
    'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const select = db.prepare('SELECT value FROM kv WHERE key = ?').pluck();
  const scan = db.prepare('SELECT key, value FROM kv').raw();
  const insertChunk = db.transaction((entries: readonly Entry[]) => {
    for (const entry of entries) upsert.run(entry.key, entry.json);
  });
  return {
    setSync(entry) {
      upsert.run(entry.key, entry.json);
    },
    setChunk(entries) {
      insertChunk(entries);
    },
    getSync(key) {
      return select.get(key);
    },
    async iterate(shouldStop) {
      let count = 0;
      for (const row of scan.iterate()) {
        if (row !== undefined) count++;
        if ((count & 1023) === 0 && shouldStop()) break;
      }
      return count;
    },
    async close() {
      db.close();
    },
  };
}
