/**
 * Opens PersistentMap for the map runs of the kit. The cache modes are the kit's: `full`,
 * and an LRU small enough that cases meet misses and evictions. Values go through core's
 * structured-clone codec, which keeps a string a string and bytes bytes.
 */

import type { Codec, KeyValueMap, StorageBackend } from '@stowage/core';
import * as core from '@stowage/core';
import type { Mode, Value } from './types.js';

/** The LRU limits of the `map-lru` mode: small, so misses happen. */
export const lruLimits = { maxEntries: 8, maxBytes: 256 * 1024 } as const;

interface MapOpener {
  open<K, V>(backend: StorageBackend, options?: object): Promise<KeyValueMap<K, V>>;
}

/** Core's export `name`, looked up at run time so a missing one fails the map cases, not the whole kit. */
function coreExport<T>(name: string): T {
  const found = (core as unknown as Record<string, unknown>)[name];
  if (found === undefined) throw new Error(`@stowage/core does not export ${name}; the map cases cannot run`);
  return found as T;
}

/** The codec map subjects use; a factory or a codec object, whichever core exports. */
export function valueCodec(): Codec<Value> {
  const found = coreExport<Codec<Value> | (() => Codec<Value>)>('structuredCodec');
  return typeof found === 'function' ? found() : found;
}

export async function openMap<V>(
  backend: StorageBackend,
  mode: Mode,
  overrides: Record<string, unknown> = {},
): Promise<KeyValueMap<string, V>> {
  const opener = coreExport<MapOpener>('PersistentMap');
  const cache = mode === 'map-lru' ? { mode: 'lru', ...lruLimits } : { mode: 'full' };
  if (backend.state !== 'open') await backend.open();
  const options: Record<string, unknown> = { cache, codec: valueCodec(), sweepInterval: 0, ...overrides };
  // An override of undefined means "the map's own default": leave the option out.
  for (const [name, value] of Object.entries(options)) if (value === undefined) delete options[name];
  return opener.open<string, V>(backend, options);
}
