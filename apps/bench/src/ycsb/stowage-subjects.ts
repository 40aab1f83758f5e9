/** Every Stowage engine as a YCSB subject: raw (values as JSON text) and under PersistentMap (values as objects). */
import { join } from 'node:path';
import type { CacheOptions, KeyValueMap, PersistentMapOptions, StorageBackend } from '@stowage/core';
import { loadOptional } from '../load-optional.js';
import { type BackendFactory, loadEngine } from '../subjects/stowage-backend.js';
import type { YcsbStore, YcsbSubject } from './store.js';

interface Engine {
  readonly id: string;
  readonly label: string;
  readonly load: () => ReturnType<typeof loadEngine>;
}

type Constructor<Options> = new (options: Options) => StorageBackend;

async function loadMapletOverLog() {
  const maplet = await loadOptional<Record<string, unknown>>('@stowage/maplet', (module) =>
    typeof module.MapletBackend === 'function' ? undefined : 'does not export MapletBackend yet',
  );
  if (!maplet.ok) return maplet;
  const log = await loadOptional<Record<string, unknown>>('@stowage/log', (module) =>
    typeof module.LogBackend === 'function' ? undefined : 'does not export LogBackend yet',
  );
  if (!log.ok) return log;
  const Maplet = maplet.module.MapletBackend as Constructor<{ inner: StorageBackend; falsePositiveRate: number }>;
  const Log = log.module.LogBackend as Constructor<{ dir: string; durability: 'batch' }>;
  const create: BackendFactory = (dir) =>
    new Maplet({ inner: new Log({ dir, durability: 'batch' }), falsePositiveRate: 0.01 });
  return { ok: true as const, module: create };
}

/** Each engine at its default durability (group commit where it has one). */
const engines: readonly Engine[] = [
  { id: 'memory', label: 'memory', load: () => loadEngine('@stowage/memory', 'MemoryBackend', () => ({})) },
  {
    id: 'sqlite',
    label: 'sqlite (WAL, NORMAL)',
    load: () => loadEngine('@stowage/sqlite', 'SqliteBackend', (dir: string) => ({ file: join(dir, 'store.db') })),
  },
  {
    id: 'csv',
    label: 'csv (batch)',
    load: () => loadEngine('@stowage/csv', 'CsvBackend', (dir: string) => ({ path: join(dir, 'store.csv') })),
  },
  {
    id: 'log',
    label: 'log (batch)',
    load: () => loadEngine('@stowage/log', 'LogBackend', (dir: string) => ({ dir, durability: 'batch' })),
  },
  {
    id: 'segment',
    label: 'segment (batch)',
    load: () => loadEngine('@stowage/segment', 'SegmentBackend', (dir: string) => ({ dir, durability: 'batch' })),
  },
  { id: 'maplet-log', label: 'maplet exact over log (batch)', load: loadMapletOverLog },
];

const unordered = (backend: StorageBackend) =>
  `the ${backend.name} engine iterates in no particular order (supports.orderedIteration is false)`;

function rawSubject(engine: Engine): YcsbSubject {
  return {
    id: engine.id,
    label: `${engine.label}, raw`,
    group: 'stowage',
    async prepare() {
      const loaded = await engine.load();
      if (!loaded.ok) return { unavailable: loaded.reason };
      const create = loaded.module;
      return {
        async open(dir) {
          const backend = create(dir);
          await backend.open();
          return backendStore(backend);
        },
      };
    },
  };
}

function backendStore(backend: StorageBackend): YcsbStore {
  const ordered = backend.supports.orderedIteration;
  return {
    read: (key) => backend.get(key),
    write: (key, record) => backend.set(key, record.json),
    async load(records) {
      if (backend.apply)
        await backend.apply(records.map(([key, record]) => ({ type: 'set', key, value: record.json })));
      else await Promise.all(records.map(([key, record]) => backend.set(key, record.json)));
    },
    ...(ordered
      ? {
          async scan(start: string, count: number) {
            let read = 0;
            for await (const [, value] of backend.entries({ gte: start, limit: count }))
              if (value !== undefined) read++;
            return read;
          },
        }
      : { cannotScan: unordered(backend) }),
    close: () => backend.close(),
  };
}

interface PersistentMapClass {
  open(backend: StorageBackend, options?: PersistentMapOptions<string, unknown>): Promise<KeyValueMap<string, unknown>>;
}

function mapSubject(engine: Engine, cache: CacheOptions, cacheLabel: string, idSuffix = ''): YcsbSubject {
  return {
    id: `pmap-${engine.id}${idSuffix}`,
    label: `PersistentMap(${engine.label}, ${cacheLabel})`,
    group: 'stowage',
    async prepare() {
      const core = await loadOptional<{ PersistentMap?: PersistentMapClass }>('@stowage/core', (module) =>
        typeof module.PersistentMap?.open === 'function' ? undefined : 'does not export PersistentMap',
      );
      if (!core.ok) return { unavailable: core.reason };
      const loaded = await engine.load();
      if (!loaded.ok) return { unavailable: loaded.reason };
      const PersistentMap = core.module.PersistentMap as PersistentMapClass;
      const create = loaded.module;
      return {
        async open(dir) {
          const backend = create(dir);
          const map = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
          return mapStore(map, backend);
        },
      };
    },
  };
}

function mapStore(map: KeyValueMap<string, unknown>, backend: StorageBackend): YcsbStore {
  return {
    read: (key) => map.get(key),
    write: (key, record) => map.set(key, record.value),
    load: (records) => map.setMany(records.map(([key, record]) => [key, record.value] as const)),
    ...(backend.supports.orderedIteration
      ? {
          async scan(start: string, count: number) {
            let read = 0;
            for await (const [, value] of map.entries({ gte: start, limit: count })) if (value !== undefined) read++;
            return read;
          },
        }
      : { cannotScan: unordered(backend) }),
    close: () => map.close(),
  };
}

/** The LRU map's byte bound: a tenth of the default 100,000 records of 1 KiB. */
export const lruMaxBytes = 16 * 2 ** 20;

export const stowageSubjects: readonly YcsbSubject[] = [
  ...engines.flatMap((engine) => [rawSubject(engine), mapSubject(engine, { mode: 'full' }, 'full cache')]),
  mapSubject(
    engines.find((engine) => engine.id === 'log') as Engine,
    { mode: 'lru', maxBytes: lruMaxBytes, maxEntries: 1_000_000 },
    'lru 16 MiB',
    '-lru',
  ),
];
