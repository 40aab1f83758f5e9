/**
 * What a row may hold, checked on the way out: a row written by another program (or a
 * damaged one) with a value of another type is reported as CORRUPTION naming its key,
 * never skipped and never handed to the codec as something it is not.
 */
import { type EncodedValue, type ExpiringValue, StowageError } from '@stowage/core';
import { origin } from './errors.js';

/**
 * The stored value as the type it was written as. better-sqlite3 returns a BLOB as a
 * Buffer; the caller gets a plain Uint8Array view of the same bytes (no copy), so a value
 * round-trips with its exact type.
 */
export function readValue(stored: unknown, key: string, file: string): EncodedValue {
  if (typeof stored === 'string') return stored;
  if (stored instanceof Uint8Array) return new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
  throw new StowageError(
    'CORRUPTION',
    `the value of key ${JSON.stringify(key)} in ${file} is ${describe(stored)}, not TEXT or BLOB`,
    { origin, file, key },
  );
}

/** A row's value and expiry, both checked. */
export function expiringValue(value: unknown, expiresAt: unknown, key: string, file: string): ExpiringValue {
  return { value: readValue(value, key, file), expiresAt: readExpiry(expiresAt, key, file) };
}

/** The stored expiry: NULL is none; anything but a number is CORRUPTION naming the key. */
export function readExpiry(stored: unknown, key: string, file: string): number | undefined {
  if (stored === null || stored === undefined) return undefined;
  if (typeof stored === 'number' && Number.isFinite(stored)) return stored;
  throw new StowageError(
    'CORRUPTION',
    `the expires_at of key ${JSON.stringify(key)} in ${file} is ${describe(stored)}, not a number of ms`,
    { origin, file, key },
  );
}

/** The stored key, which must be TEXT. */
export function readKey(stored: unknown, file: string): string {
  if (typeof stored === 'string') return stored;
  throw new StowageError('CORRUPTION', `a key in ${file} is ${describe(stored)}, not TEXT`, { origin, file });
}

function describe(stored: unknown): string {
  if (stored === null) return 'NULL';
  if (typeof stored === 'number' || typeof stored === 'bigint') return `a number (${String(stored)})`;
  if (stored instanceof Uint8Array) return `a BLOB of ${stored.byteLength} bytes`;
  return typeof stored;
}
