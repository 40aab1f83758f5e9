/**
 * The optional operations of the contract, built from the required ones, written once:
 * AbstractBackend's default hooks, PersistentMap (for a backend that lacks a fast path)
 * and the conformance kit all use these, so they behave alike everywhere. A backend need
 * not extend AbstractBackend: one with only the required methods (get, set, delete,
 * entries) works, just with more calls. The map cannot use a backend's `has` or `size`,
 * because the TTL of an entry lives in its value and the map must see it.
 */
import type { BatchOperation, EncodedValue, RangeOptions, StorageBackend, WriteOptions } from './storage-backend.js';

/** The required operations the fallbacks are built from: a backend's methods, or AbstractBackend's hooks. */
export interface RequiredOperations {
  get(key: string): Promise<EncodedValue | undefined> | EncodedValue | undefined;
  set(key: string, value: EncodedValue, options: WriteOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]>;
  /** Used when present (a fast path that reads no values). */
  keys?(range: RangeOptions): AsyncIterable<string>;
}

// ---- each optional operation from the required ones ----

/** `getMany` from `get`: one key after the other, in order (a backend may not like parallel reads). */
export async function getManyOneByOne(
  operations: RequiredOperations,
  keys: readonly string[],
): Promise<(EncodedValue | undefined)[]> {
  const values: (EncodedValue | undefined)[] = [];
  for (const key of keys) values.push(await operations.get(key));
  return values;
}

/** `keys` from `entries` (or the `keys` fast path when there is one). */
export function keysOf(
  operations: Pick<RequiredOperations, 'entries' | 'keys'>,
  range: RangeOptions,
): AsyncIterable<string> {
  if (operations.keys) return operations.keys(range);
  const { entries } = operations;
  return (async function* () {
    for await (const [key] of entries.call(operations, range)) yield key;
  })();
}

/**
 * `apply` from `set` and `delete`: in order, not atomic. Calls `applied(index)` after each
 * operation that succeeded, so a caller can follow the backend exactly when a later one fails.
 */
export async function applyInOrder(
  operations: RequiredOperations,
  batch: readonly BatchOperation[],
  applied?: (index: number) => void,
): Promise<void> {
  for (let index = 0; index < batch.length; index++) {
    const operation = batch[index]!;
    if (operation.type === 'set') {
      await operations.set(operation.key, operation.value, writeOptions(operation.expiresAt));
    } else {
      await operations.delete(operation.key);
    }
    applied?.(index);
  }
}

/** `size` from `keys`: every stored entry counts, including one whose TTL passed but is not swept yet. */
export async function countEntries(operations: RequiredOperations): Promise<number> {
  let count = 0;
  for await (const _ of keysOf(operations, {})) count++;
  return count;
}

/**
 * `clear` from `keys` and `delete`. The keys are collected first (no backend must delete
 * under its own iterator), and `limit` is counted here, since a hook may treat it as a hint.
 */
export async function clearRange(operations: RequiredOperations, range: RangeOptions): Promise<void> {
  const doomed: string[] = [];
  for await (const key of keysOf(operations, range)) {
    if (range.limit !== undefined && doomed.length >= range.limit) break;
    doomed.push(key);
  }
  for (const key of doomed) await operations.delete(key);
}

// ---- a backend's fast path when it has one, the fallback otherwise ----

export function getMany(backend: StorageBackend, keys: readonly string[]): Promise<(EncodedValue | undefined)[]> {
  return backend.getMany ? backend.getMany(keys) : getManyOneByOne(backend, keys);
}

/**
 * Applies `operations` in order, calling `applied(index)` after each one that succeeded. A
 * backend `apply` counts as one step (`applied` is called for every operation once it resolves).
 */
export async function apply(
  backend: StorageBackend,
  operations: readonly BatchOperation[],
  applied: (index: number) => void = () => {},
): Promise<void> {
  if (!backend.apply) return applyInOrder(backend, operations, applied);
  await backend.apply(operations);
  operations.forEach((_, index) => {
    applied(index);
  });
}

export function keys(backend: StorageBackend, range: RangeOptions): AsyncIterable<string> {
  return keysOf(backend, range);
}

export function size(backend: StorageBackend): Promise<number> {
  return backend.size ? backend.size() : countEntries(backend);
}

export function clear(backend: StorageBackend, range: RangeOptions): Promise<void> {
  return backend.clear ? backend.clear(range) : clearRange(backend, range);
}

export function writeOptions(expiresAt: number | undefined): { expiresAt?: number } {
  return expiresAt === undefined ? {} : { expiresAt };
}
