/** @stowage/sqlite with its defaults (WAL, synchronous NORMAL), raw and under PersistentMap. */
import { join } from 'node:path';
import { loadEngine, persistentMapSubject, rawBackendSubject } from './stowage-backend.js';

const load = () => loadEngine('@stowage/sqlite', 'SqliteBackend', (dir: string) => ({ file: join(dir, 'store.db') }));

export const sqliteRaw = rawBackendSubject({ id: 'sqlite', label: 'sqlite engine (raw)', persistent: true, load });

/** synchronous FULL: every commit fsynced before it resolves, the like of csv's default. */
export const sqliteFull = rawBackendSubject({
  id: 'sqlite-full',
  label: 'sqlite engine (raw, durability full)',
  persistent: true,
  load: () =>
    loadEngine('@stowage/sqlite', 'SqliteBackend', (dir: string) => ({
      file: join(dir, 'store.db'),
      durability: 'full',
    })),
});

export const sqliteMap = persistentMapSubject({
  id: 'pmap-sqlite',
  label: 'PersistentMap(sqlite, full cache)',
  persistent: true,
  cache: { mode: 'full' },
  load,
});
