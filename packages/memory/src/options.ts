/**
 * The options of MemoryBackend and their checking: a misspelled name is refused with
 * INVALID_CONFIG naming the closest valid one, instead of being ignored.
 */
import { assertKnownOptions, StowageError } from '@stowage/core';

/** The package name every StowageError from this engine carries. */
export const origin = '@stowage/memory';

export interface MemoryBackendOptions {
  /** Largest key in UTF-8 bytes (default 65,536). */
  readonly maxKeyBytes?: number;
  /** Largest encoded value in bytes (default 256 MiB). */
  readonly maxValueBytes?: number;
}

/** The limits given, checked; an absent one is left to core's default. */
export interface ResolvedOptions {
  readonly maxKeyBytes?: number;
  readonly maxValueBytes?: number;
}

const optionNames: readonly (keyof MemoryBackendOptions)[] = ['maxKeyBytes', 'maxValueBytes'];

/** Throws INVALID_CONFIG for an unknown option name or a limit that is not a positive safe integer. */
export function resolveOptions(options: MemoryBackendOptions | undefined): ResolvedOptions {
  assertKnownOptions(origin, options, optionNames);
  const resolved: { maxKeyBytes?: number; maxValueBytes?: number } = {};
  for (const name of optionNames) {
    const value = options?.[name];
    if (value === undefined) continue;
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new StowageError('INVALID_CONFIG', `${name} must be a positive integer, got ${String(value)}`, { origin });
    }
    resolved[name] = value;
  }
  return resolved;
}
