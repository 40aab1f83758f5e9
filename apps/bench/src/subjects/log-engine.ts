/** @stowage/log at two durability levels, raw, and with group commit under PersistentMap. */
import { loadEngine, persistentMapSubject, rawBackendSubject } from './stowage-backend.js';

export type LogDurability = 'none' | 'batch' | 'always';

export const loadLog = (durability: LogDurability) =>
  loadEngine('@stowage/log', 'LogBackend', (dir: string) => ({ dir, durability }));

export const logNone = rawBackendSubject({
  id: 'log-none',
  label: 'log engine (raw, durability none)',
  persistent: true,
  load: () => loadLog('none'),
});

export const logBatch = rawBackendSubject({
  id: 'log-batch',
  label: 'log engine (raw, durability batch)',
  persistent: true,
  load: () => loadLog('batch'),
});

export const logMap = persistentMapSubject({
  id: 'pmap-log',
  label: 'PersistentMap(log batch, full cache)',
  persistent: true,
  cache: { mode: 'full' },
  load: () => loadLog('batch'),
});
