export { AbstractBackend, defaultSupports } from './abstract-backend.js';
export { AbstractTransaction } from './abstract-transaction.js';
export type {
  BackendSupports,
  BackendTransaction,
  BatchOperation,
  DurabilityLevel,
  EncodedValue,
  LifecycleState,
  RangeOptions,
  StorageBackend,
  VersionInfo,
  WriteOptions,
} from './backend.js';
export { CONTRACT_VERSION, DURABILITY_LEVELS } from './backend.js';
export {
  type AnyValueCodec,
  bytesCodec,
  type Codec,
  jsonCodec,
  type KeyCodec,
  numberKeys,
  stringKeys,
  structuredCodec,
  utf8Codec,
} from './codecs.js';
export { type CopyOptions, type CopyProgress, copy } from './copy.js';
export { assertDurabilityLevels, type DurabilityChoice, resolveDurability } from './durability.js';
export { MAX_EXPIRES_AT, type Unwrapped, unwrap, wrap } from './envelope.js';
export { StowageError, type StowageErrorCode, type StowageErrorOptions } from './errors.js';
export * as fallbacks from './fallbacks.js';
export { assertValidKey, assertValidRange, compareKeys, inRange, utf8Length } from './keys.js';
export { assertKnownOptions } from './known-options.js';
export type {
  CacheOptions,
  FullCacheOptions,
  KeyValueMap,
  LruCacheOptions,
  MapRangeOptions,
  MapStats,
  MapTransaction,
  NoCacheOptions,
  PersistentMapOptions,
  SetOptions,
} from './map-api.js';
export { PersistentMap, type TransactionOptions } from './persistent-map.js';
export { type RetryOptions, withRetry } from './retry.js';
export { toStowageError } from './to-stowage-error.js';
