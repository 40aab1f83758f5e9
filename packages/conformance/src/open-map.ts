/**
 * Opens PersistentMap for the map runs of the kit. The cache modes are the kit's: `full`,
 * and an LRU small enough that cases meet misses and evictions. Values go through core's
 * structured-clone codec, which keeps a string a string and bytes bytes.
 */
import {
  type EncodedValue,
  type KeyValueMap,
  PersistentMap,
  type PersistentMapOptions,
  type StorageBackend,
  structuredCodec,
  unwrap,
} from '@stowage/core';
import type { Mode, Value } from './types.js';

/** The LRU limits of the `map-lru` mode: small, so misses happen. */
export const lruLimits = { maxEntries: 8, maxBytes: 256 * 1024 } as const;

export async function openMap<V>(
  backend: StorageBackend,
  mode: Mode,
  overrides: Record<string, unknown> = {},
): Promise<KeyValueMap<string, V>> {
  const cache = mode === 'map-lru' ? { mode: 'lru', ...lruLimits } : { mode: 'full' };
  const options: Record<string, unknown> = { cache, codec: structuredCodec, sweepInterval: 0, ...overrides };
  // An override of undefined means "the map's own default": leave the option out.
  for (const [name, value] of Object.entries(options)) if (value === undefined) delete options[name];
  return PersistentMap.open<string, V>(backend, options as PersistentMapOptions<string, V>);
}

/** What a map subject stored, read back from the backend: envelope removed, payload decoded. */
export function decodeStored(stored: EncodedValue): Value {
  return structuredCodec.decode(unwrap(stored).payload) as Value;
}
