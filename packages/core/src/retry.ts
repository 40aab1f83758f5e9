/**
 * Retrying an optimistic transaction that lost a conflict: the usual answer to CONFLICT
 * is to run the whole body again on a fresh snapshot.
 */
import { StowageError } from './errors.js';

export interface RetryOptions {
  /** How many times to run `operation` again after a CONFLICT (default 3). */
  readonly retries?: number;
}

/** Runs `operation`, running it again (up to `retries` times) while it fails with CONFLICT. */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 3;
  if (!(Number.isInteger(retries) && retries >= 0)) {
    throw new StowageError('INVALID_ARGUMENT', 'retries must be a non-negative integer');
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!StowageError.is(error, 'CONFLICT') || attempt >= retries) throw error;
      // Let the transaction that won finish its commit before trying again.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
