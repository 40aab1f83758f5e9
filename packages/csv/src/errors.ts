/**
 * The csv engine's origin and the StowageErrors it raises itself, in one place. A file
 * call's own failure goes through fileError of @stowage/fs (IO, or READ_ONLY for a disk
 * refusing writes), which keeps an existing StowageError unchanged.
 */
import { StowageError } from '@stowage/core';
import { fileError } from '@stowage/fs';

export const origin = '@stowage/csv';

/** What a file call threw, as a StowageError naming `file` and what was being done to it. */
export function csvFileError(error: unknown, file: string, action: string): StowageError {
  return fileError(error, { origin, file, action });
}

/** Damaged data in `file` at byte `offset` (the message says what and what to do). */
export function corruption(message: string, file: string, offset: number): StowageError {
  return new StowageError('CORRUPTION', message, { origin, file, offset });
}

/** A journal of a format this version does not read. */
export function notSupported(message: string, file: string): StowageError {
  return new StowageError('NOT_SUPPORTED', message, { origin, file, offset: 0 });
}

export function invalidConfig(message: string): StowageError {
  return new StowageError('INVALID_CONFIG', message, { origin });
}

export function invalidValue(message: string): StowageError {
  return new StowageError('INVALID_VALUE', message, { origin });
}
