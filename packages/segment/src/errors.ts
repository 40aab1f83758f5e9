/**
 * The engine's origin and its error constructors, in one place, so every failure a user
 * sees carries the same origin and a damaged file always reads the same way.
 */
import { StowageError, toStowageError } from '@stowage/core';

/** The package name every error carries as its origin. */
export const ORIGIN = '@stowage/segment';

/** The CORRUPTION error every damaged read raises: file and offset say where. */
export function corruption(file: string, offset: number, reason: string): StowageError {
  return new StowageError('CORRUPTION', `${file} is damaged at byte ${offset}: ${reason}`, {
    origin: ORIGIN,
    file,
    offset,
  });
}

/** INVALID_CONFIG for an option out of range. */
export function invalidConfig(why: string): StowageError {
  return new StowageError('INVALID_CONFIG', why, { origin: ORIGIN });
}

/** Any error as a StowageError of this engine (a StowageError stays as it is; node's errno maps to its code). */
export function asStowageError(error: unknown, context: string): StowageError {
  return toStowageError(error, ORIGIN, context);
}
