/**
 * What PersistentMap does when a backend lacks an optional fast path. A backend need not
 * extend AbstractBackend: one with only the required methods (get, set, delete, entries)
 * works, just with more calls. The map cannot use a backend's `has` or `size`, because the
 * TTL of an entry lives in its value and the map must see it.
 */
import type { BatchOperation, EncodedValue, RangeOptions, StorageBackend } from './backend.js';

export function getMany(backend: StorageBackend, keys: readonly string[]): Promise<(EncodedValue | undefined)[]> {
  if (backend.getMany) return backend.getMany(keys);
  return Promise.all(keys.map((key) => backend.get(key)));
}

/**
 * Applies `operations` in order, calling `applied(index)` after each one that succeeded, so
 * the caller can follow the backend exactly even when a later one fails. A backend `apply`
 * counts as one step (`applied` is called for every operation once it resolves).
 */
export async function apply(
  backend: StorageBackend,
  operations: readonly BatchOperation[],
  applied: (index: number) => void,
): Promise<void> {
  if (backend.apply) {
    await backend.apply(operations);
    for (let index = 0; index < operations.length; index++) applied(index);
    return;
  }
  for (let index = 0; index < operations.length; index++) {
    const operation = operations[index]!;
    if (operation.type === 'set') {
      await backend.set(operation.key, operation.value, writeOptions(operation.expiresAt));
    } else {
      await backend.delete(operation.key);
    }
    applied(index);
  }
}

export function keys(backend: StorageBackend, range: RangeOptions): AsyncIterable<string> {
  if (backend.keys) return backend.keys(range);
  return (async function* () {
    for await (const [key] of backend.entries(range)) yield key;
  })();
}

/** Removes every entry within `range` (keys are collected first: no backend must delete under an iterator). */
export async function clear(backend: StorageBackend, range: RangeOptions): Promise<void> {
  if (backend.clear) return backend.clear(range);
  const doomed: string[] = [];
  for await (const key of keys(backend, range)) doomed.push(key);
  for (const key of doomed) await backend.delete(key);
}

export function writeOptions(expiresAt: number | undefined): { expiresAt?: number } {
  return expiresAt === undefined ? {} : { expiresAt };
}
