/**
 * The one error class of Stowage. Every failure a user can meet carries a string `code`
 * (documented in the core README), the package it came from, and the original error as
 * `cause`. A brand, not the class identity, decides `instanceof`, so two installed copies
 * of @stowage/core still recognise each other's errors.
 */

export type StowageErrorCode =
  /** An operation on a store that is closing or closed. */
  | 'STORE_CLOSED'
  /** A key that is not a well-formed string, or is longer than the backend allows. */
  | 'INVALID_KEY'
  /** An encoded value the backend cannot hold (wrong type, or larger than its limit). */
  | 'INVALID_VALUE'
  /** The codec could not encode a value; nothing was written. */
  | 'ENCODE_FAILED'
  /** Stored data could not be decoded by the codec. */
  | 'DECODE_FAILED'
  /** Damaged data on disk; `file` and `offset` say where. */
  | 'CORRUPTION'
  /** The file system or the engine's driver failed (EIO, ENOSPC, ...); see `cause`. */
  | 'IO'
  /** Another process holds the store, or it stayed busy past the timeout. */
  | 'LOCKED'
  /** The store or its file is read-only. */
  | 'READ_ONLY'
  /** An optimistic transaction lost to one that committed first. */
  | 'CONFLICT'
  /** The backend does not offer this operation (see its `supports` manifest). */
  | 'NOT_SUPPORTED'
  /** Options given at construction or open are invalid. */
  | 'INVALID_CONFIG'
  /** An argument of a call is invalid (a negative TTL, a malformed range, ...). */
  | 'INVALID_ARGUMENT'
  /** A fixed capacity is exhausted. */
  | 'CAPACITY';

export interface StowageErrorOptions {
  /** The package (and engine) the error comes from, e.g. `@stowage/log`. */
  readonly origin?: string;
  readonly cause?: unknown;
  /** The file concerned, for CORRUPTION, IO and LOCKED. */
  readonly file?: string;
  /** The byte offset in `file` where damage was found, for CORRUPTION. */
  readonly offset?: number;
  /** The key concerned, when there is one. */
  readonly key?: string;
}

const brand = Symbol.for('@stowage/core/StowageError');

/**
 * The one error class of every Stowage package: test `error.code` (a string such as
 * `INVALID_KEY`, `CONFLICT`, `CORRUPTION`, `STORE_CLOSED`) rather than the message, and use
 * {@link StowageError.is} rather than `instanceof` when several copies of core may be installed.
 */
export class StowageError extends Error {
  declare readonly [brand]: true;
  /** What went wrong, as a stable string code. */
  readonly code: StowageErrorCode;
  /** The package (and engine) the error comes from, e.g. `@stowage/log`. */
  readonly origin: string;
  /** The file concerned, for CORRUPTION, IO and LOCKED. */
  readonly file: string | undefined;
  /** The byte offset in `file` where damage was found, for CORRUPTION. */
  readonly offset: number | undefined;
  /** The key concerned, when there is one. */
  readonly key: string | undefined;

  constructor(code: StowageErrorCode, message: string, options: StowageErrorOptions = {}) {
    const origin = options.origin ?? '@stowage/core';
    super(`[${origin}] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, brand, { value: true });
    this.name = 'StowageError';
    this.code = code;
    this.origin = origin;
    this.file = options.file;
    this.offset = options.offset;
    this.key = options.key;
  }

  /** True for a StowageError from any installed copy of @stowage/core, optionally of one code. */
  static is(value: unknown, code?: StowageErrorCode): value is StowageError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [brand]?: unknown })[brand] === true &&
      (code === undefined || (value as StowageError).code === code)
    );
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return StowageError.is(value);
  }
}
