export { AbstractBackend, defaultSupports } from './abstract-backend.js';
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
export type { Codec, KeyCodec } from './codecs.js';
export { StowageError, type StowageErrorCode, type StowageErrorOptions } from './errors.js';
export { assertValidKey, assertValidRange, compareKeys, inRange, utf8Length } from './keys.js';
export type {
  CacheOptions,
  FullCacheOptions,
  KeyValueMap,
  LruCacheOptions,
  MapRangeOptions,
  MapStats,
  MapTransaction,
  PersistentMapOptions,
  SetOptions,
} from './map-api.js';
