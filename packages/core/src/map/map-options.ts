/** Checks PersistentMap options once, at open, and fills in the defaults (INVALID_CONFIG otherwise). */

import { StowageError } from '../contract/errors.js';
import { assertKnownOptions } from '../contract/known-options.js';
import { CONTRACT_VERSION, type StorageBackend } from '../contract/storage-backend.js';
import { type Codec, jsonCodec, type KeyCodec, stringKeys } from './codecs.js';
import type { PersistentMapOptions } from './map-api.js';
import { FullCache, LruCache, type MapCache, NoCache } from './map-cache.js';
import { ORIGIN } from './map-store.js';

export const DEFAULT_MAX_ENTRIES = 10_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SWEEP_INTERVAL = 1_000;
/** The longest delay a Node timer keeps (2^31 - 1 ms). */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** Option names `PersistentMap.open` knows; any other is refused (a misspelling would be ignored). */
const MAP_OPTIONS = ['codec', 'keyCodec', 'cache', 'sweepInterval'] as const;
/** The options of the full and none caches (and of an unknown mode, refused by makeCache). */
const MODE_ONLY_OPTIONS = ['mode'] as const;
const LRU_CACHE_OPTIONS = ['mode', 'maxEntries', 'maxBytes'] as const;

export interface ResolvedOptions<K, V> {
  readonly codec: Codec<V>;
  readonly keyCodec: KeyCodec<K>;
  readonly cache: MapCache<V>;
  readonly sweepInterval: number;
}

export function resolveOptions<K, V>(
  backend: StorageBackend,
  options: PersistentMapOptions<K, V>,
): ResolvedOptions<K, V> {
  const fail = (why: string): never => {
    // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
    throw new StowageError('INVALID_CONFIG', why, { origin: ORIGIN });
  };
  // Refuses options that are not a plain object too (INVALID_CONFIG from ORIGIN).
  assertKnownOptions(ORIGIN, options, MAP_OPTIONS);
  if (typeof backend !== 'object' || backend === null) fail('PersistentMap.open needs a backend');
  for (const method of ['open', 'close', 'get', 'set', 'delete', 'entries'] as const) {
    if (typeof backend[method] !== 'function') fail(`the backend has no ${method} method`);
  }
  if (typeof backend.supports !== 'object' || backend.supports === null) fail('the backend has no supports manifest');
  const contract = backend.contractVersion ?? 1;
  if (!(Number.isSafeInteger(contract) && contract >= 1)) {
    fail(`the backend's contractVersion must be a positive integer, got ${String(contract)}`);
  }
  if (contract > CONTRACT_VERSION) {
    fail(
      `the ${String(backend.name)} backend implements contract version ${contract}, but this @stowage/core knows versions up to ${CONTRACT_VERSION}: upgrade @stowage/core`,
    );
  }
  const codec = options.codec ?? (jsonCodec as Codec<V>);
  if (typeof codec.encode !== 'function' || typeof codec.decode !== 'function') fail('codec needs encode and decode');
  const keyCodec = options.keyCodec ?? (stringKeys as unknown as KeyCodec<K>);
  if (typeof keyCodec.encode !== 'function' || typeof keyCodec.decode !== 'function') {
    fail('keyCodec needs encode and decode');
  }
  const sweepInterval = options.sweepInterval ?? DEFAULT_SWEEP_INTERVAL;
  if (!(Number.isFinite(sweepInterval) && sweepInterval >= 0 && sweepInterval <= MAX_TIMER_DELAY)) {
    // Node clamps a longer timer to 1 ms, which would sweep without pause.
    fail(`sweepInterval must be a number of ms from 0 to ${MAX_TIMER_DELAY}, got ${String(sweepInterval)}`);
  }
  const cache = options.cache ?? { mode: 'full' };
  // Refuses a cache option that is not a plain object too (`??` made null the default).
  assertKnownOptions(ORIGIN, cache, cache.mode === 'lru' ? LRU_CACHE_OPTIONS : MODE_ONLY_OPTIONS);
  return { codec, keyCodec, cache: makeCache<V>(cache, fail), sweepInterval };
}

function makeCache<V>(options: NonNullable<PersistentMapOptions<unknown, V>['cache']>, fail: (why: string) => never) {
  if (options.mode === 'full') return new FullCache<V>();
  if (options.mode === 'none') return new NoCache<V>();
  if (options.mode !== 'lru')
    return fail(`cache.mode must be 'full', 'lru' or 'none', got ${String((options as { mode: unknown }).mode)}`);
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(Number.isInteger(maxEntries) && maxEntries > 0)) fail('cache.maxEntries must be a positive integer');
  if (!(Number.isFinite(maxBytes) && maxBytes > 0)) fail('cache.maxBytes must be a positive number');
  return new LruCache<V>(maxEntries, maxBytes);
}
