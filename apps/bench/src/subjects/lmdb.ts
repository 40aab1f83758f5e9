/**
 * lmdb-js as its docs suggest: `put` awaited (lmdb batches concurrent puts into one commit),
 * a chunk as one `transaction`, `get` synchronous from the memory map. Values are the same
 * JSON text the raw engines get (string encoding), so no side pays for another codec.
 */
import { join } from 'node:path';
import { exportsFunctions, loadOptional } from '../load-optional.js';
import { allWorkloads, type Store, type Subject } from '../subject.js';

interface LmdbDatabase {
  put(key: string, value: string): Promise<boolean>;
  get(key: string): string | undefined;
  transaction(body: () => void): Promise<unknown>;
  getRange(): Iterable<{ key: unknown; value: unknown }>;
  close(): Promise<void>;
}
type Open = (options: { path: string; encoding: 'string' }) => LmdbDatabase;

export const lmdb: Subject = {
  id: 'lmdb',
  label: 'lmdb',
  group: 'peer',
  persistent: true,
  workloads: allWorkloads,
  async prepare() {
    const loaded = await loadOptional<{ open: Open }>('lmdb', exportsFunctions('open'));
    if (!loaded.ok) return { available: false, reason: loaded.reason };
    const { open } = loaded.module;
    return {
      available: true,
      open: async (dir) => lmdbStore(open({ path: join(dir, 'peer.mdb'), encoding: 'string' })),
    };
  },
};

function lmdbStore(db: LmdbDatabase): Store {
  return {
    set: (entry) => db.put(entry.key, entry.json),
    async setChunk(entries) {
      await db.transaction(() => {
        for (const entry of entries) void db.put(entry.key, entry.json);
      });
    },
    getSync: (key) => db.get(key),
    async iterate(shouldStop) {
      let count = 0;
      for (const { value } of db.getRange()) {
        if (value !== undefined) count++;
        if ((count & 1023) === 0 && shouldStop()) break;
      }
      return count;
    },
    close: () => db.close(),
  };
}
