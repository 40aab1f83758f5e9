/** The log's origin and the errors it makes itself (core's AbstractBackend makes the input errors). */
import { StowageError } from '@stowage/core';
import { fileError } from '@stowage/fs';

/** The package name every error carries as its origin. */
export const ORIGIN = '@stowage/log';

/** A store file whose bytes are not what the log wrote. */
export function corruptionError(file: string, offset: number, reason: string): StowageError {
  return new StowageError('CORRUPTION', `${file} is damaged at byte ${offset}: ${reason}`, {
    origin: ORIGIN,
    file,
    offset,
  });
}

/** Turns what a file call threw into a StowageError naming the file. */
export function ioError(error: unknown, file: string, action: string): StowageError {
  return fileError(error, { origin: ORIGIN, file, action });
}

/** Conflict for `key`, changed by another commit after the transaction's snapshot. */
export function conflictError(key: string): StowageError {
  return new StowageError('CONFLICT', `"${key}" was changed by another commit after this transaction began`, {
    origin: ORIGIN,
    key,
  });
}

/** A bad option of the LogBackend constructor. */
export function configError(message: string): StowageError {
  return new StowageError('INVALID_CONFIG', message, { origin: ORIGIN });
}

/** A bad argument of one of the log's own methods (merge). */
export function argumentError(message: string): StowageError {
  return new StowageError('INVALID_ARGUMENT', message, { origin: ORIGIN });
}
