/**
 * Adapters shared by every Stowage engine: the raw backend (the StorageBackend contract,
 * values handed over already encoded as JSON text) and the same backend under a
 * PersistentMap (values as objects; the map encodes them and keeps its cache).
 */
import type { CacheOptions, KeyValueMap, PersistentMapOptions, StorageBackend } from '@stowage/core';
import type { Entry } from '../data.js';
import { type Loaded, loadOptional } from '../load-optional.js';
import { allWorkloads, type Store, type Subject, volatileWorkloads } from '../subject.js';

/** Makes a fresh backend whose files live in `dir`. */
export type BackendFactory = (dir: string) => StorageBackend;

export interface EngineSubjectOptions {
  readonly id: string;
  readonly label: string;
  readonly persistent: boolean;
  readonly load: () => Promise<Loaded<BackendFactory>>;
}

export function rawBackendSubject(options: EngineSubjectOptions): Subject {
  return {
    id: options.id,
    label: options.label,
    group: 'stowage',
    persistent: options.persistent,
    workloads: options.persistent ? allWorkloads : volatileWorkloads,
    async prepare() {
      const loaded = await options.load();
      if (!loaded.ok) return { available: false, reason: loaded.reason };
      const create = loaded.module;
      return {
        available: true,
        async open(dir) {
          const backend = create(dir);
          await backend.open();
          return backendStore(backend);
        },
      };
    },
  };
}

function backendStore(backend: StorageBackend): Store {
  const apply = backend.apply?.bind(backend);
  return {
    set: (entry: Entry) => backend.set(entry.key, entry.json),
    async setChunk(entries) {
      if (apply) await apply(entries.map((entry) => ({ type: 'set', key: entry.key, value: entry.json })));
      else await Promise.all(entries.map((entry) => backend.set(entry.key, entry.json)));
    },
    get: backend.get.bind(backend),
    async iterate(shouldStop) {
      let count = 0;
      for await (const [, value] of backend.entries()) {
        if (value !== undefined) count++;
        if ((count & 1023) === 0 && shouldStop()) break;
      }
      return count;
    },
    close: () => backend.close(),
  };
}

/** The shape of core's PersistentMap class that the bench uses. */
interface PersistentMapClass {
  open(backend: StorageBackend, options?: PersistentMapOptions<string, unknown>): Promise<KeyValueMap<string, unknown>>;
}

export interface MapSubjectOptions extends EngineSubjectOptions {
  readonly cache: CacheOptions;
}

export function persistentMapSubject(options: MapSubjectOptions): Subject {
  return {
    id: options.id,
    label: options.label,
    group: 'stowage',
    persistent: options.persistent,
    workloads: options.persistent ? allWorkloads : volatileWorkloads,
    async prepare() {
      const core = await loadOptional<{ PersistentMap?: PersistentMapClass }>('@stowage/core', (module) =>
        typeof module.PersistentMap?.open === 'function' ? undefined : 'does not export PersistentMap yet',
      );
      if (!core.ok) return { available: false, reason: core.reason };
      const loaded = await options.load();
      if (!loaded.ok) return { available: false, reason: loaded.reason };
      const PersistentMap = core.module.PersistentMap as PersistentMapClass;
      const create = loaded.module;
      return {
        available: true,
        async open(dir) {
          // No sweep timer: nothing here expires, and a timer would only add noise.
          const map = await PersistentMap.open(create(dir), { cache: options.cache, sweepInterval: 0 });
          return mapStore(map);
        },
      };
    },
  };
}

function mapStore(map: KeyValueMap<string, unknown>): Store {
  return {
    set: (entry: Entry) => map.set(entry.key, entry.value),
    setChunk: (entries) => map.setMany(entries.map((entry) => [entry.key, entry.value] as const)),
    get: map.get.bind(map),
    async iterate(shouldStop) {
      let count = 0;
      for await (const [, value] of map) {
        if (value !== undefined) count++;
        if ((count & 1023) === 0 && shouldStop()) break;
      }
      return count;
    },
    close: () => map.close(),
  };
}

/** Loads `exportName` from a workspace engine package and wraps its constructor as a factory. */
export async function loadEngine<Options>(
  specifier: string,
  exportName: string,
  optionsFor: (dir: string) => Options,
): Promise<Loaded<BackendFactory>> {
  type Constructor = new (options: Options) => StorageBackend;
  const loaded = await loadOptional<Record<string, unknown>>(specifier, (module) =>
    typeof module[exportName] === 'function' ? undefined : `does not export ${exportName} yet`,
  );
  if (!loaded.ok) return loaded;
  const Engine = loaded.module[exportName] as Constructor;
  return { ok: true, module: (dir) => new Engine(optionsFor(dir)) };
}
