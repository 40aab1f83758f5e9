/**
 * The argument rules of the contract, written once and used by AbstractBackend and
 * AbstractTransaction alike, so a write checked in a transaction is checked exactly as a
 * plain write is (one rule for keys, values and expiries on every engine).
 */

import { StowageError } from './errors.js';
import { assertValidKey } from './keys.js';
import type { BackendSupports, WriteOptions } from './storage-backend.js';

/** The limits the checks need from a backend's manifest. */
export type InputLimits = Pick<BackendSupports, 'maxKeyBytes' | 'maxValueBytes'>;

export function argumentError(message: string, origin: string): StowageError {
  return new StowageError('INVALID_ARGUMENT', message, { origin });
}

/** Throws INVALID_KEY unless `key` is a well-formed string within `limits.maxKeyBytes`. */
export function checkKey(key: unknown, limits: InputLimits, origin: string): asserts key is string {
  assertValidKey(key, limits.maxKeyBytes, origin);
}

/** Throws INVALID_VALUE unless `value` is a well-formed string or a Uint8Array within `limits.maxValueBytes`. */
export function checkValue(value: unknown, key: string, limits: InputLimits, origin: string): void {
  let bytes: number;
  if (typeof value === 'string') {
    // UTF-8 cannot hold a lone surrogate: a file engine would hand back a different string.
    if (!value.isWellFormed()) {
      throw new StowageError('INVALID_VALUE', 'a string value must be well-formed UTF-16 (it has a lone surrogate)', {
        origin,
        key,
      });
    }
    // Every UTF-16 code unit is at most 3 UTF-8 bytes, so short values need no count.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut; counting every value gives the same answer
    bytes = value.length * 3 <= limits.maxValueBytes ? 0 : Buffer.byteLength(value);
  } else if (value instanceof Uint8Array) {
    bytes = value.byteLength;
  } else {
    throw new StowageError('INVALID_VALUE', 'an encoded value must be a string or a Uint8Array', { origin, key });
  }
  if (bytes > limits.maxValueBytes) {
    throw new StowageError('INVALID_VALUE', `a value may be at most ${limits.maxValueBytes} bytes, got ${bytes}`, {
      origin,
      key,
    });
  }
}

/** Throws INVALID_ARGUMENT unless `expiresAt` is absent or a finite number (NaN and ±Infinity refused). */
export function checkExpiry(expiresAt: unknown, origin: string): void {
  // Number.isFinite is false for anything that is not a number (it does not convert).
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
    throw argumentError('expiresAt must be a finite number of ms since the epoch', origin);
  }
}

/** Throws INVALID_ARGUMENT unless `options` is undefined or an object whose `expiresAt` passes `checkExpiry`. */
export function checkWriteOptions(options: unknown, origin: string): asserts options is WriteOptions | undefined {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw argumentError(`write options must be an object, got ${options === null ? 'null' : typeof options}`, origin);
  }
  checkExpiry((options as WriteOptions).expiresAt, origin);
}

/** Throws INVALID_ARGUMENT unless `value` is a function. */
export function checkFunction(value: unknown, what: string, origin: string): void {
  if (typeof value !== 'function') throw argumentError(`${what} takes a function, got ${typeof value}`, origin);
}
