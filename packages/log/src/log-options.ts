/** Options of a LogBackend, checked once at construction. */
import { assertKnownOptions, type DurabilityLevel, StowageError } from '@stowage/core';
import { type FileSystem, nodeFileSystem } from '@stowage/fs';
import { DEFAULT_MAX_FILE_SIZE, MAX_FILE_SIZE_LIMIT, ORIGIN } from './limits.js';
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

const levels: readonly DurabilityLevel[] = ['none', 'batch', 'always'];

export function resolveOptions(options: LogBackendOptions): StoreSettings {
  const fail = (why: string): never => {
    throw new StowageError('INVALID_CONFIG', why, { origin: ORIGIN });
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object with a dir');
  // A misspelled option would otherwise be ignored and its default silently used.
  assertKnownOptions(ORIGIN, options, ['dir', 'fs', 'durability', 'maxFileSize', 'keepVersions']);
  if (typeof options.dir !== 'string' || options.dir === '') fail('dir must be a non-empty path');
  const durability = options.durability ?? 'batch';
  if (!levels.includes(durability)) fail(`durability must be one of ${levels.join(', ')}`);
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  if (!Number.isInteger(maxFileSize) || maxFileSize < 1024 || maxFileSize > MAX_FILE_SIZE_LIMIT) {
    fail(`maxFileSize must be an integer from 1024 to ${MAX_FILE_SIZE_LIMIT}`);
  }
  const keepVersions = options.keepVersions ?? 1;
  if (!Number.isInteger(keepVersions) || keepVersions < 1) fail('keepVersions must be a positive integer');
  return { fs: options.fs ?? nodeFileSystem, dir: options.dir, durability, maxFileSize, keepVersions };
}
