export { BlockCache } from './block-cache.js';
export {
  DEFAULT_BITS_PER_KEY,
  DEFAULT_BLOCK_SIZE,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
} from './limits.js';
export type { RepairedSegment, RepairedWal, RepairReport } from './repair.js';
export { SegmentBackend } from './segment-backend.js';
export type { SegmentBackendOptions } from './segment-options.js';
export { type SegmentRange, SegmentReader, type SegmentReaderOptions } from './segment-reader.js';
export { type SegmentEntry, type SegmentInfo, SegmentWriter, type SegmentWriterOptions } from './segment-writer.js';
export type { LevelStats, SegmentStats } from './stats.js';
export type { VerifyProblem, VerifyReport } from './verify.js';
