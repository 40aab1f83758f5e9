/**
 * Retrying an optimistic transaction that lost a conflict: the usual answer to CONFLICT
 * is to run the whole body again on a fresh snapshot. The one retry helper of Stowage:
 * `withRetry(() => backend.transaction(body), { retries })` serves a raw backend as well
 * as `map.transaction` (the log's former `retryTransaction(backend, body, { attempts })`
 * is `withRetry(() => backend.transaction(body), { retries: attempts - 1 })`).
 */
import { StowageError } from './errors.js';
import { assertKnownOptions } from './known-options.js';

export interface RetryOptions {
  /** How many times to run `operation` again after a CONFLICT (default 3): it runs at most `retries + 1` times. */
  readonly retries?: number;
}

/**
 * Runs `operation`, running it again (up to `retries` times) while it fails with CONFLICT.
 * `operation` gets the attempt number (1 for the first run). Any other failure, and the
 * last CONFLICT, reaches the caller unchanged. Between attempts it yields one turn of the
 * event loop, so the transaction that won can finish its commit.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  if (typeof operation !== 'function') {
    throw new StowageError('INVALID_ARGUMENT', `withRetry takes a function, got ${typeof operation}`);
  }
  try {
    // Stryker disable next-line StringLiteral: the origin is cut from the message below, and the error is replaced
    assertKnownOptions('@stowage/core', options, ['retries']);
  } catch (error) {
    // Options of a call, not of a store: an invalid one is an argument error.
    throw new StowageError('INVALID_ARGUMENT', (error as StowageError).message.replace(/^\[[^\]]*\] /, ''));
  }
  const retries = options.retries ?? 3;
  if (!(Number.isSafeInteger(retries) && retries >= 0)) {
    throw new StowageError('INVALID_ARGUMENT', `retries must be a non-negative integer, got ${String(retries)}`);
  }
  // A bounded loop: however its body goes wrong, it ends after retries + 1 runs.
  let conflict: unknown;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!StowageError.is(error, 'CONFLICT')) throw error;
      conflict = error;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  throw conflict;
}
