/** @stowage/csv with its defaults, raw. */
import { join } from 'node:path';
import { loadEngine, rawBackendSubject } from './stowage-backend.js';

const load = () => loadEngine('@stowage/csv', 'CsvBackend', (dir: string) => ({ path: join(dir, 'store.csv') }));

export const csvRaw = rawBackendSubject({ id: 'csv', label: 'csv engine (raw)', persistent: true, load });
