/**
 * One place where node's file errors (an Error with `code` ENOENT, EIO, ENOSPC, ...)
 * become StowageError, so every file engine reports them alike: IO for the disk failing
 * or filling up, READ_ONLY when the file system or the file refuses writing.
 */
import { StowageError } from '@stowage/core';

/** The `code` of a node file error (`'ENOENT'`, `'EIO'`, ...), or undefined for anything else. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `error` is a node file error with `code`. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return errorCode(error) === code;
}

// The disk refuses writing rather than failing: a user fixes permissions or the mount.
const refusedCodes = new Set(['EACCES', 'EPERM']);

export interface FileErrorOptions {
  /** The package reporting, e.g. `@stowage/log`. */
  readonly origin: string;
  /** The file concerned. */
  readonly file: string;
  /** What was being done, for the message: `append to`, `fsync`, `open` ... */
  readonly action?: string;
  readonly key?: string;
  /**
   * Whether the call read or wrote, when known: EACCES and EPERM on a read are a
   * permission problem (IO), on a write (or unknown) the disk refusing writes (READ_ONLY).
   */
  readonly access?: 'read' | 'write';
}

/**
 * Converts what a file call threw into a StowageError: an existing StowageError passes
 * through unchanged; EROFS becomes READ_ONLY, and so do EACCES and EPERM unless the call
 * was a read (`access: 'read'`); everything else (EIO, ENOSPC, ENOENT, EBADF, ...) becomes
 * IO. The original error is the `cause`. (A folder that cannot be created on a read-only
 * mount reports EROFS through `FileSystem.mkdir`, not the ENOENT of node's recursive mkdir.)
 */
export function fileError(error: unknown, options: FileErrorOptions): StowageError {
  if (StowageError.is(error)) return error;
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  // Stryker disable next-line StringLiteral: the default action is message wording only
  const action = options.action ?? 'access';
  return new StowageError(
    isReadOnly(code, options.access) ? 'READ_ONLY' : 'IO',
    `cannot ${action} ${options.file}: ${reason}`,
    {
      origin: options.origin,
      file: options.file,
      cause: error,
      // Stryker disable next-line ConditionalExpression: StowageError sets `key` from the option either way, undefined when absent
      ...(options.key === undefined ? {} : { key: options.key }),
    },
  );
}

function isReadOnly(code: string | undefined, access: 'read' | 'write' | undefined): boolean {
  if (code === 'EROFS') return true;
  // Stryker disable next-line ConditionalExpression: refusedCodes never holds undefined, so the set's answer is the same
  return code !== undefined && refusedCodes.has(code) && access !== 'read';
}
