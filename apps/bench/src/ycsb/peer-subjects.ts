/**
 * The bench's peers as YCSB subjects, set up as in ../subjects (better-sqlite3 in WAL with
 * synchronous NORMAL, lmdb with string values, classic-level with utf8 values, keyv over
 * @keyv/sqlite with its defaults, its load batched as noted at keyv's load), plus the
 * ordered scan each offers. keyv has no ordered range read (its iterator pages in storage
 * order), so it cannot run workload E.
 */
import { join } from 'node:path';
import { exportsFunctions, loadOptional } from '../load-optional.js';
import type { YcsbRecord, YcsbStore, YcsbSubject } from './store.js';

interface Statement {
  run(...parameters: unknown[]): unknown;
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
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

const betterSqlite3: YcsbSubject = {
  id: 'better-sqlite3',
  label: 'better-sqlite3 (WAL, NORMAL)',
  group: 'peer',
  async prepare() {
    const loaded = await loadOptional<{ default: new (file: string) => Database }>(
      'better-sqlite3',
      exportsFunctions('default'),
    );
    if (!loaded.ok) return { unavailable: loaded.reason };
    const Sqlite = loaded.module.default;
    return { open: async (dir) => sqliteStore(new Sqlite(join(dir, 'peer.db'))) };
  },
};

function sqliteStore(db: Database): YcsbStore {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const upsert = db.prepare(
    'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const select = db.prepare('SELECT value FROM kv WHERE key = ?').pluck();
  const range = db.prepare('SELECT key, value FROM kv WHERE key >= ? ORDER BY key LIMIT ?').raw();
  const loadChunk = db.transaction((records: readonly (readonly [string, YcsbRecord])[]) => {
    for (const [key, record] of records) upsert.run(key, record.json);
  });
  return {
    read: (key) => select.get(key),
    write: (key, record) => {
      upsert.run(key, record.json);
    },
    load: (records) => loadChunk(records),
    scan: (start, count) => range.all(start, count).length,
    async close() {
      db.close();
    },
  };
}

interface LmdbDatabase {
  put(key: string, value: string): Promise<boolean>;
  get(key: string): string | undefined;
  transaction(body: () => void): Promise<unknown>;
  getRange(options: { start: string; limit: number }): Iterable<{ key: unknown; value: unknown }>;
  close(): Promise<void>;
}

const lmdb: YcsbSubject = {
  id: 'lmdb',
  label: 'lmdb',
  group: 'peer',
  async prepare() {
    const loaded = await loadOptional<{ open: (options: { path: string; encoding: 'string' }) => LmdbDatabase }>(
      'lmdb',
      exportsFunctions('open'),
    );
    if (!loaded.ok) return { unavailable: loaded.reason };
    const { open } = loaded.module;
    return {
      async open(dir) {
        const db = open({ path: join(dir, 'peer.mdb'), encoding: 'string' });
        return {
          read: (key) => db.get(key),
          write: (key, record) => db.put(key, record.json),
          load: (records) =>
            db.transaction(() => {
              for (const [key, record] of records) void db.put(key, record.json);
            }),
          scan(start, count) {
            let read = 0;
            for (const { value } of db.getRange({ start, limit: count })) if (value !== undefined) read++;
            return read;
          },
          close: () => db.close(),
        };
      },
    };
  },
};

interface Level {
  open(): Promise<void>;
  put(key: string, value: string): Promise<void>;
  batch(operations: { type: 'put'; key: string; value: string }[]): Promise<void>;
  get(key: string): Promise<string | undefined>;
  iterator(options: { gte: string; limit: number }): AsyncIterable<[string, string]>;
  close(): Promise<void>;
}

const classicLevel: YcsbSubject = {
  id: 'classic-level',
  label: 'classic-level',
  group: 'peer',
  async prepare() {
    const loaded = await loadOptional<{
      ClassicLevel: new (location: string, options: { valueEncoding: 'utf8' }) => Level;
    }>('classic-level', exportsFunctions('ClassicLevel'));
    if (!loaded.ok) return { unavailable: loaded.reason };
    const { ClassicLevel } = loaded.module;
    return {
      async open(dir) {
        const db = new ClassicLevel(join(dir, 'peer.level'), { valueEncoding: 'utf8' });
        await db.open();
        return {
          read: (key) => db.get(key),
          write: (key, record) => db.put(key, record.json),
          load: (records) => db.batch(records.map(([key, record]) => ({ type: 'put', key, value: record.json }))),
          async scan(start, count) {
            let read = 0;
            for await (const [, value] of db.iterator({ gte: start, limit: count })) if (value !== undefined) read++;
            return read;
          },
          close: () => db.close(),
        };
      },
    };
  },
};

interface Keyv {
  set(key: string, value: unknown): Promise<boolean>;
  setMany(entries: { key: string; value: unknown }[]): Promise<boolean[]>;
  get(key: string): Promise<unknown>;
  disconnect(): Promise<void>;
}

interface KeyvSqliteAdapter {
  query(sql: string, ...parameters: unknown[]): Promise<unknown>;
}

const keyvSqlite: YcsbSubject = {
  id: 'keyv-sqlite',
  label: 'keyv + @keyv/sqlite',
  group: 'peer',
  async prepare() {
    const keyv = await loadOptional<{ Keyv: new (options: { store: unknown }) => Keyv }>(
      'keyv',
      exportsFunctions('Keyv'),
    );
    if (!keyv.ok) return { unavailable: keyv.reason };
    const sqliteAdapter = await loadOptional<{ default: new (uri: string) => KeyvSqliteAdapter }>(
      '@keyv/sqlite',
      exportsFunctions('default'),
    );
    if (!sqliteAdapter.ok) return { unavailable: sqliteAdapter.reason };
    const { Keyv } = keyv.module;
    const KeyvSqlite = sqliteAdapter.module.default;
    return {
      async open(dir) {
        const adapter = new KeyvSqlite(`sqlite://${join(dir, 'keyv.sqlite')}`);
        const store = new Keyv({ store: adapter });
        const written = async (result: Promise<boolean | boolean[]>) => {
          const ok = await result;
          if (ok === false || (Array.isArray(ok) && ok.includes(false)))
            throw new Error('keyv reported a failed write');
        };
        return {
          read: (key) => store.get(key),
          write: (key, record) => written(store.set(key, record.value)),
          // keyv has no batch write (@keyv/sqlite has no setMany, so keyv.setMany is one
          // autocommitted, fsynced INSERT per record: ~300 records/s here, past the child's
          // 10-minute limit at 100,000 records). The load wraps each chunk's setMany in a
          // transaction through the adapter's own query instead, and says so in the table.
          async load(records) {
            await adapter.query('BEGIN');
            try {
              await written(store.setMany(records.map(([key, record]) => ({ key, value: record.value }))));
            } catch (error) {
              await adapter.query('ROLLBACK');
              throw error;
            }
            await adapter.query('COMMIT');
          },
          loadNote:
            "each chunk's keyv.setMany inside BEGIN/COMMIT sent through @keyv/sqlite's query (keyv has no batch write; without it the load is one fsynced transaction per record, ~300 records/s)",
          cannotScan: 'keyv has no ordered range read (its iterator pages in storage order)',
          close: () => store.disconnect(),
        };
      },
    };
  },
};

export const peerSubjects: readonly YcsbSubject[] = [betterSqlite3, lmdb, classicLevel, keyvSqlite];
