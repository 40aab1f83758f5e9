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

/** Issue 13's LRU hit: a cache big enough for every key, so each get is an LRU hit (measured on gets only). */
export const memoryMapLruHit = {
  ...persistentMapSubject({
    id: 'pmap-memory-lru-hit',
    label: 'PersistentMap(memory, lru holding every key)',
    persistent: false,
    cache: { mode: 'lru', maxEntries: 10_000_000, maxBytes: 2 ** 40 },
    load,
  }),
  workloads: ['get-existing'] as const,
};

/** Issue 13's LRU miss: a one-entry cache, so each get of a random key reads through to the engine. */
export const memoryMapLruMiss = {
  ...persistentMapSubject({
    id: 'pmap-memory-lru-miss',
    label: 'PersistentMap(memory, lru of 1 entry: every get a miss)',
    persistent: false,
    cache: { mode: 'lru', maxEntries: 1 },
    load,
  }),
  workloads: ['get-existing'] as const,
};
