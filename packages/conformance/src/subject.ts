/**
 * Subjects: one open store behind one interface, so each case is written once and runs on
 * the raw backend and through PersistentMap. A raw subject uses a backend's fast path when
 * it has one and the required methods otherwise, as the map would.
 */
import { fallbacks, type KeyValueMap, type RangeOptions, type StorageBackend } from '@stowage/core';
import { decodeStored } from './open-map.js';
import type { IterationRange, Mode, Subject, SubjectOperation, Value } from './types.js';

export function rawSubject(backend: StorageBackend): Subject {
  return {
    mode: 'raw',
    backend,
    map: undefined,
    get: (key) => backend.get(key),
    set: (key, value) => backend.set(key, value),
    delete: (key) => backend.delete(key),
    has: async (key) => (backend.has ? backend.has(key) : (await backend.get(key)) !== undefined),
    // Core's fallbacks, the same ones AbstractBackend and PersistentMap use.
    getMany: (keys) => fallbacks.getMany(backend, keys),
    apply: (operations) => fallbacks.apply(backend, operations),
    size: () => fallbacks.size(backend),
    clear: () => fallbacks.clear(backend, {}),
    entries: async (range) => collect(backend.entries(rangeOptions(range))),
    keys: async (range) => collect(fallbacks.keys(backend, rangeOptions(range))),
    flush: async () => backend.flush?.(),
    close: () => backend.close(),
    stored: async () => new Map(await collect(backend.entries())),
  };
}

export function mapSubject(map: KeyValueMap<string, Value>, mode: Mode): Subject {
  return {
    mode,
    backend: map.backend,
    map,
    get: (key) => map.get(key),
    set: (key, value) => map.set(key, value),
    delete: (key) => map.delete(key),
    has: (key) => map.has(key),
    getMany: (keys) => map.getMany(keys),
    // The map has no mixed batch: consecutive sets go as one setMany, deletes as one deleteMany.
    apply: async (operations) => {
      let index = 0;
      while (index < operations.length) {
        const type = operations[index]!.type;
        const run: SubjectOperation[] = [];
        while (index < operations.length && operations[index]!.type === type) run.push(operations[index++]!);
        if (type === 'set') {
          const entries: [string, Value][] = [];
          for (const operation of run) {
            if (operation.type !== 'set') continue;
            // The map takes a ttl per setMany, not an expiry per entry: no case sends one here.
            if (operation.expiresAt !== undefined) throw new Error('a map subject batch cannot carry expiresAt');
            entries.push([operation.key, operation.value]);
          }
          await map.setMany(entries);
        } else {
          await map.deleteMany(run.map((operation) => operation.key));
        }
      }
    },
    size: () => map.size(),
    clear: () => map.clear(),
    entries: (range) => collect(map.entries(rangeOptions(range))),
    keys: (range) => collect(map.keys(rangeOptions(range))),
    flush: () => map.flush(),
    close: () => map.close(),
    stored: async () => {
      const stored = new Map<string, Value>();
      for await (const [key, value] of map.backend.entries()) stored.set(key, decodeStored(value));
      return stored;
    },
  };
}

export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

function rangeOptions(range: IterationRange | undefined): RangeOptions {
  return range ?? {};
}

/** The prefix of the `map-namespace` mode, and a key outside it that no case may touch. */
export const namespacePrefix = 'ns:';
const outsideKey = 'outside-the-namespace';
const outsideValue = 'must stay';

/**
 * A subject on `map.namespace('ns:')`. A key outside the namespace is written first; every
 * clear and close checks it is still there, in the map and in the backend.
 */
export async function namespaceSubject(parent: KeyValueMap<string, Value>): Promise<Subject> {
  await parent.set(outsideKey, outsideValue);
  const view = parent.namespace(namespacePrefix);
  const inner = mapSubject(view, 'map-namespace');
  const checkOutside = async (after: string) => {
    const stored = await parent.backend.get(outsideKey);
    if (
      stored === undefined ||
      decodeStored(stored) !== outsideValue ||
      (await parent.get(outsideKey)) !== outsideValue
    ) {
      throw new Error(`${after} on namespace ${JSON.stringify(namespacePrefix)} removed or changed a key outside it`);
    }
  };
  return {
    ...inner,
    clear: async () => {
      await inner.clear();
      await checkOutside('clear()');
    },
    close: async () => {
      if (parent.backend.state === 'open') await checkOutside('the case');
      await parent.close();
    },
    stored: async () => {
      const stored = new Map<string, Value>();
      for await (const [key, value] of parent.backend.entries({ prefix: namespacePrefix })) {
        stored.set(key.slice(namespacePrefix.length), decodeStored(value));
      }
      return stored;
    },
  };
}
