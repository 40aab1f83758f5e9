/** @stowage/csv, raw: with its default (durability batch: fsync before a write resolves) and with durability none. */
import { join } from 'node:path';
import { loadEngine, rawBackendSubject } from './stowage-backend.js';

const load = () => loadEngine('@stowage/csv', 'CsvBackend', (dir: string) => ({ path: join(dir, 'store.csv') }));

export const csvRaw = rawBackendSubject({ id: 'csv', label: 'csv engine (raw)', persistent: true, load });

/** Journal appends left to the OS: survives a process crash, not a power cut — sqlite NORMAL's promise. */
export const csvNone = rawBackendSubject({
  id: 'csv-none',
  label: 'csv engine (raw, durability none)',
  persistent: true,
  load: () =>
    loadEngine('@stowage/csv', 'CsvBackend', (dir: string) => ({ path: join(dir, 'store.csv'), durability: 'none' })),
});
