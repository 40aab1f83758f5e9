export type { ExactCounters } from './exact-mode.js';
export { HASH_ID, hashed, hashKey } from './hash.js';
export {
  type Generation,
  Maplet,
  type MapletCounters,
  type MapletStats,
  type MeasuredRate,
  wilson,
} from './maplet.js';
export { MapletBackend, type MapletBackendOptions, type MapletBackendStats } from './maplet-backend.js';
export { type GrowthPolicy, type MapletOptions, type MapletSettings, ORIGIN } from './maplet-config.js';
export { MapletFile, type MapletFileOptions } from './maplet-file.js';
export {
  checkMergeOperator,
  customOperator,
  lastWriter,
  type MergeOperator,
  type MergeOperatorName,
  max,
  mergeOperators,
  min,
  type OperatorViolation,
  or,
  sum,
} from './merge-operators.js';
