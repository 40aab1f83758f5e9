/**
 * The size limits and defaults of the segment format and engine. The same constants bound
 * writes (through `supports`, so AbstractBackend refuses oversize input before anything is
 * written) and reads (a block or record claiming more is damage).
 */

/** Largest key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 65_536;

/** Largest value, in bytes (UTF-8 bytes for a string). */
export const MAX_VALUE_BYTES = 64 * 1024 * 1024;

/** Target size of a data block before it is closed (a block holding one huge entry is larger). */
export const DEFAULT_BLOCK_SIZE = 4096;

/** Keys between restart points (full keys) inside a data block. */
export const RESTART_INTERVAL = 16;

/** Bloom filter bits per key: about 1% false positives with 7 probes. */
export const DEFAULT_BITS_PER_KEY = 10;

/** Largest segment file: block offsets in the index are u64, but cache keys hold offsets below 2^32. */
export const MAX_SEGMENT_BYTES = 2 ** 32 - 1;

/** Default block cache size in bytes. */
export const DEFAULT_BLOCK_CACHE_BYTES = 32 * 1024 * 1024;

/** Default memtable size in bytes at which it is frozen and flushed to a level-0 segment. */
export const DEFAULT_MEMTABLE_BYTES = 8 * 1024 * 1024;

/** Default size at which compaction closes one output segment and starts the next. */
export const DEFAULT_TARGET_FILE_BYTES = 4 * 1024 * 1024;

/** Default number of level-0 files that starts a compaction into level 1. */
export const DEFAULT_L0_TRIGGER = 4;

/** Default target size of level 1; each deeper level is `DEFAULT_LEVEL_MULTIPLIER` times larger. */
export const DEFAULT_BASE_LEVEL_BYTES = 32 * 1024 * 1024;

export const DEFAULT_LEVEL_MULTIPLIER = 10;

/** Number of levels, level 0 included. */
export const LEVEL_COUNT = 7;
