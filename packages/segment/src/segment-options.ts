/** Options of a SegmentBackend, checked once at construction. */
import { assertKnownOptions, type DurabilityLevel, resolveDurability } from '@stowage/core';
import { type FileSystem, nodeFileSystem } from '@stowage/fs';
import { invalidConfig, ORIGIN } from './errors.js';
import {
  DEFAULT_BASE_LEVEL_BYTES,
  DEFAULT_BITS_PER_KEY,
  DEFAULT_BLOCK_CACHE_BYTES,
  DEFAULT_BLOCK_SIZE,
  DEFAULT_L0_TRIGGER,
  DEFAULT_LEVEL_MULTIPLIER,
  DEFAULT_MEMTABLE_BYTES,
  DEFAULT_TARGET_FILE_BYTES,
} from './limits.js';

export interface SegmentBackendOptions {
  /** The store's directory; created when missing. */
  readonly dir: string;
  /** The file layer (default: the real disk). Tests pass a simulated disk. */
  readonly fs?: FileSystem;
  /** `batch` (default): group commit, one fsync per group; `always`: the same without waiting to gather a group; `none`: no fsync of the WAL. */
  readonly durability?: DurabilityLevel;
  /** Memtable size in bytes at which it is flushed to a new segment (default 8 MiB). */
  readonly memtableBytes?: number;
  /** Block cache size in bytes, shared by all segments (default 32 MiB). */
  readonly blockCacheBytes?: number;
  /** Target data block size in bytes (default 4096). */
  readonly blockSize?: number;
  /** Bloom filter bits per key (default 10). */
  readonly bitsPerKey?: number;
  /** Size at which compaction starts a new output file (default 4 MiB). */
  readonly targetFileBytes?: number;
  /** Level-0 files that start a compaction (default 4). */
  readonly level0Trigger?: number;
  /** Target size of level 1 (default 32 MiB); each deeper level is `levelMultiplier` times larger. */
  readonly baseLevelBytes?: number;
  /** Size ratio between adjacent levels (default 10). */
  readonly levelMultiplier?: number;
  /** Run flushes and compactions in the background on their own (default true; false: only `compact()` runs them). */
  readonly autoCompact?: boolean;
}

export interface StoreSettings {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly durability: DurabilityLevel;
  readonly memtableBytes: number;
  readonly blockCacheBytes: number;
  readonly blockSize: number;
  readonly bitsPerKey: number;
  readonly targetFileBytes: number;
  readonly level0Trigger: number;
  readonly baseLevelBytes: number;
  readonly levelMultiplier: number;
  readonly autoCompact: boolean;
}

const known = [
  'dir',
  'fs',
  'durability',
  'memtableBytes',
  'blockCacheBytes',
  'blockSize',
  'bitsPerKey',
  'targetFileBytes',
  'level0Trigger',
  'baseLevelBytes',
  'levelMultiplier',
  'autoCompact',
] as const;

const levels: readonly DurabilityLevel[] = ['none', 'batch', 'always'];

export function resolveOptions(options: SegmentBackendOptions): StoreSettings {
  const fail = (why: string): never => {
    throw invalidConfig(why);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object with a dir');
  assertKnownOptions(ORIGIN, options, known);
  if (typeof options.dir !== 'string' || options.dir === '') fail('dir must be a non-empty path');
  const durability = resolveDurability(ORIGIN, options.durability, { default: 'batch', offered: levels });
  const integer = (name: keyof SegmentBackendOptions, fallback: number, min: number, max: number): number => {
    const value = (options[name] as number | undefined) ?? fallback;
    if (!Number.isInteger(value) || value < min || value > max)
      fail(`${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const autoCompact = options.autoCompact ?? true;
  if (typeof autoCompact !== 'boolean') fail('autoCompact must be a boolean');
  return {
    fs: options.fs ?? nodeFileSystem,
    dir: options.dir,
    durability,
    memtableBytes: integer('memtableBytes', DEFAULT_MEMTABLE_BYTES, 1024, 1024 ** 3),
    blockCacheBytes: integer('blockCacheBytes', DEFAULT_BLOCK_CACHE_BYTES, 0, 2 ** 40),
    blockSize: integer('blockSize', DEFAULT_BLOCK_SIZE, 256, 1024 * 1024),
    bitsPerKey: integer('bitsPerKey', DEFAULT_BITS_PER_KEY, 0, 64),
    targetFileBytes: integer('targetFileBytes', DEFAULT_TARGET_FILE_BYTES, 1024, 1024 ** 3),
    level0Trigger: integer('level0Trigger', DEFAULT_L0_TRIGGER, 1, 64),
    baseLevelBytes: integer('baseLevelBytes', DEFAULT_BASE_LEVEL_BYTES, 1024, 2 ** 40),
    levelMultiplier: integer('levelMultiplier', DEFAULT_LEVEL_MULTIPLIER, 2, 100),
    autoCompact,
  };
}
