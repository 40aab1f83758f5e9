/** Options of a LogBackend (checked once at construction) and of its merge. */
import { assertKnownOptions, type DurabilityLevel, resolveDurability } from '@stowage/core';
import { type FileSystem, nodeFileSystem } from '@stowage/fs';
import { argumentError, configError, ORIGIN } from './errors.js';
import { DEFAULT_MAX_FILE_SIZE, MAX_FILE_SIZE_LIMIT } from './limits.js';
import type { MergeOptions } from './merge.js';
import type { StoreSettings } from './store-state.js';

export interface LogBackendOptions {
  /** The store's directory; created when missing. */
  readonly dir: string;
  /** The file layer (default: the real disk). Tests pass a simulated disk. */
  readonly fs?: FileSystem;
  /** `batch` (default): group commit with one fsync per group; `always`: the same without waiting to gather a group; `none`: no fsync. */
  readonly durability?: DurabilityLevel;
  /** Size in bytes at which the active data file is closed and a new one begun (default 64 MiB). */
  readonly maxFileSize?: number;
  /** How many of the newest versions of each key a merge keeps (default 1: only the live value). */
  readonly keepVersions?: number;
}

const KNOWN_OPTIONS = ['dir', 'fs', 'durability', 'maxFileSize', 'keepVersions'] as const;

/** The settings `options` stand for, or INVALID_CONFIG naming what is wrong. */
export function resolveOptions(options: LogBackendOptions): StoreSettings {
  if (options === undefined) throw configError('options must be an object with a dir');
  // Refuses what is not an object too; a misspelled option would otherwise be ignored and its default silently used.
  assertKnownOptions(ORIGIN, options, KNOWN_OPTIONS);
  if (typeof options.dir !== 'string' || options.dir === '') throw configError('dir must be a non-empty path');
  const durability = resolveDurability(ORIGIN, options.durability, {
    default: 'batch',
    offered: ['none', 'batch', 'always'],
  });
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  if (!Number.isInteger(maxFileSize) || maxFileSize < 1024 || maxFileSize > MAX_FILE_SIZE_LIMIT) {
    throw configError(`maxFileSize must be an integer from 1024 to ${MAX_FILE_SIZE_LIMIT}`);
  }
  const keepVersions = options.keepVersions ?? 1;
  if (!Number.isInteger(keepVersions) || keepVersions < 1) throw configError('keepVersions must be a positive integer');
  return { fs: options.fs ?? nodeFileSystem, dir: options.dir, durability, maxFileSize, keepVersions };
}

/** Throws INVALID_ARGUMENT unless `options` is a valid argument of `merge`. */
export function checkMergeOptions(options: unknown): asserts options is MergeOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw argumentError(`merge takes an options object, got ${describe(options)}`);
  }
  assertKnownOptions(ORIGIN, options, ['keepVersions']);
  const keep = (options as MergeOptions).keepVersions;
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1)) {
    throw argumentError('keepVersions must be a positive integer');
  }
}

// Stryker disable all: the wording of the INVALID_ARGUMENT message only
function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
// Stryker restore all
