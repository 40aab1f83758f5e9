/**
 * keyv 5 with @keyv/sqlite, with the adapter's defaults (the sqlite3 driver, one autocommit
 * statement per call, SQLite's default rollback journal and synchronous = FULL). Values are
 * objects; keyv serializes them itself. A chunk is keyv's setMany.
 */
import { join } from 'node:path';
import type { Entry } from '../data.js';
import { exportsFunctions, loadOptional } from '../load-optional.js';
import { allWorkloads, type Store, type Subject } from '../subject.js';

interface Keyv {
  /** Resolves false when the store failed (keyv reports the error as an event, not a rejection). */
  set(key: string, value: unknown): Promise<boolean>;
  setMany(entries: { key: string; value: unknown }[]): Promise<boolean[]>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  get(key: string): Promise<unknown>;
  iterator?: () => AsyncIterable<[string, unknown]>;
  disconnect(): Promise<void>;
}
type KeyvConstructor = new (options: { store: unknown }) => Keyv;
type KeyvSqliteConstructor = new (uri: string) => unknown;

export const keyvSqlite: Subject = {
  id: 'keyv-sqlite',
  label: 'keyv + @keyv/sqlite',
  group: 'peer',
  persistent: true,
  workloads: allWorkloads,
  async prepare() {
    const keyv = await loadOptional<{ Keyv: KeyvConstructor }>('keyv', exportsFunctions('Keyv'));
    if (!keyv.ok) return { available: false, reason: keyv.reason };
    const adapter = await loadOptional<{ default: KeyvSqliteConstructor }>('@keyv/sqlite', exportsFunctions('default'));
    if (!adapter.ok) return { available: false, reason: adapter.reason };
    const { Keyv } = keyv.module;
    const KeyvSqlite = adapter.module.default;
    return {
      available: true,
      async open(dir) {
        const store = new Keyv({ store: new KeyvSqlite(`sqlite://${join(dir, 'keyv.sqlite')}`) });
        // keyv connects lazily; one read makes the open real, so open time counts it.
        await store.get('open');
        return keyvStore(store);
      },
    };
  },
};

function keyvStore(keyv: Keyv): Store {
  // keyv turns a failed write into `false` plus an error event; a failure must not pass for a fast write.
  let lastError: unknown;
  keyv.on('error', (error) => {
    lastError = error;
  });
  const failed = () => new Error(`keyv reported a failed write: ${String(lastError)}`);
  return {
    async set(entry: Entry) {
      if (!(await keyv.set(entry.key, entry.value))) throw failed();
    },
    async setChunk(entries) {
      const results = await keyv.setMany(entries.map((entry) => ({ key: entry.key, value: entry.value })));
      if (results.some((ok) => !ok)) throw failed();
    },
    get: (key) => keyv.get(key),
    async iterate(shouldStop) {
      if (!keyv.iterator) throw new Error('this keyv store offers no iterator');
      let count = 0;
      for await (const [, value] of keyv.iterator()) {
        if (value !== undefined) count++;
        // keyv pages with LIMIT/OFFSET, so a full pass is quadratic: check the budget often.
        if ((count & 63) === 0 && shouldStop()) break;
      }
      return count;
    },
    close: () => keyv.disconnect(),
  };
}
