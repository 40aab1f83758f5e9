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
  set(key: string, value: unknown): Promise<unknown>;
  setMany(entries: { key: string; value: unknown }[]): Promise<unknown>;
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
  return {
    set: (entry: Entry) => keyv.set(entry.key, entry.value),
    async setChunk(entries) {
      await keyv.setMany(entries.map((entry) => ({ key: entry.key, value: entry.value })));
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
