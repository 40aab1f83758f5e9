export { AbstractBackend, defaultSupports } from './contract/abstract-backend.js';
export { AbstractTransaction } from './contract/abstract-transaction.js';
export { assertDurabilityLevels, type DurabilityChoice, resolveDurability } from './contract/durability.js';
export { StowageError, type StowageErrorCode, type StowageErrorOptions } from './contract/errors.js';
export * as fallbacks from './contract/fallbacks.js';
export { assertValidKey, assertValidRange, compareKeys, inRange, utf8Length } from './contract/keys.js';
export { assertKnownOptions } from './contract/known-options.js';
export { type RetryOptions, withRetry } from './contract/retry.js';
export { keysWithin, rangeBounds } from './contract/sorted-range.js';
export type {
  BackendSupports,
  BackendTransaction,
  BatchOperation,
  DurabilityLevel,
  EncodedValue,
  ExpiringValue,
  LifecycleState,
  RangeOptions,
  StorageBackend,
  StoredLocation,
  VersionInfo,
  WriteOptions,
} from './contract/storage-backend.js';
export { CONTRACT_VERSION, DURABILITY_LEVELS } from './contract/storage-backend.js';
export { toStowageError } from './contract/to-stowage-error.js';
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
} from './map/codecs.js';
export { type CopyOptions, type CopyProgress, copy } from './map/copy.js';
export { MAX_EXPIRES_AT, type Unwrapped, unwrap, wrap } from './map/envelope.js';
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
} from './map/map-api.js';
export { PersistentMap, type TransactionOptions } from './map/persistent-map.js';
