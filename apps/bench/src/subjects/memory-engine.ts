/** @stowage/memory, raw and under PersistentMap with each cache mode. */
import { loadEngine, persistentMapSubject, rawBackendSubject } from './stowage-backend.js';

const load = () => loadEngine('@stowage/memory', 'MemoryBackend', () => ({}));

export const memoryRaw = rawBackendSubject({ id: 'memory', label: 'memory engine (raw)', persistent: false, load });

export const memoryMapFull = persistentMapSubject({
  id: 'pmap-memory-full',
  label: 'PersistentMap(memory, full cache)',
  persistent: false,
  cache: { mode: 'full' },
  load,
});

/** The default bounded cache (10,000 entries): at 100,000 keys most gets read through to the engine. */
export const memoryMapLru = persistentMapSubject({
  id: 'pmap-memory-lru',
  label: 'PersistentMap(memory, lru 10k)',
  persistent: false,
  cache: { mode: 'lru', maxEntries: 10_000 },
  load,
});
