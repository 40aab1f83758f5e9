/**
 * The one transaction view of Stowage. An engine's transaction extends AbstractTransaction
 * and writes `_get`, `_set`, `_delete` (reads of its snapshot plus its own writes, writes
 * kept aside) and `_commit` (check for conflicts, apply atomically). This class owns what
 * must not differ between engines: the same key, value and expiry rules as a plain write,
 * one "transaction is over" error for a view used after its body ended, errors of the
 * engine turned into StowageErrors, and the body's own error handed back unchanged.
 */

import { StowageError } from './errors.js';
import { checkFunction, checkKey, checkValue, checkWriteOptions, type InputLimits } from './input-checks.js';
import type { BackendTransaction, EncodedValue, ExpiringValue, WriteOptions } from './storage-backend.js';
import { toStowageError } from './to-stowage-error.js';

export abstract class AbstractTransaction implements BackendTransaction {
  /** The engine's package, named in every error. */
  protected readonly origin: string;
  readonly #limits: InputLimits;
  #state: 'ready' | 'running' | 'over' = 'ready';
  /** Calls of the view not settled yet: the commit waits for them, so no hook runs during `_commit`. */
  readonly #pending = new Set<Promise<unknown>>();

  /** `limits` is the backend's manifest (or its key and value limits). */
  constructor(origin: string, limits: InputLimits) {
    this.origin = origin;
    this.#limits = { maxKeyBytes: limits.maxKeyBytes, maxValueBytes: limits.maxValueBytes };
  }

  // ---- hooks an engine writes; each gets arguments already checked ----
  /** The value of `key` in the snapshot, or as this transaction last wrote it. May answer synchronously. */
  protected abstract _get(key: string): Promise<EncodedValue | undefined> | EncodedValue | undefined;
  /**
   * `_get` with the expiry (as written by this transaction, or in the snapshot), for
   * engines with `supports.storesExpiry`. May answer synchronously.
   */
  protected _getWithExpiry(_key: string): Promise<ExpiringValue | undefined> | ExpiringValue | undefined {
    throw new StowageError('NOT_SUPPORTED', 'this transaction view does not read expiries', { origin: this.origin });
  }
  /** Records a write, to be applied by `_commit`. */
  protected abstract _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> | void;
  /** Records a deletion; true when `key` is present as this transaction sees it. */
  protected abstract _delete(key: string): Promise<boolean> | boolean;
  /**
   * Applies the recorded writes atomically, or throws CONFLICT when a key the transaction
   * read or wrote was committed by someone else after its snapshot. Runs once, after the
   * body resolved and every call of the view settled; never after the body threw.
   */
  protected abstract _commit(): Promise<void> | void;

  /** True once the body has returned or thrown: every call of the view is refused from then on. */
  get finished(): boolean {
    return this.#state === 'over';
  }

  get(key: string): Promise<EncodedValue | undefined> {
    return this.#call('read failed', () => {
      checkKey(key, this.#limits, this.origin);
      return this._get(key);
    });
  }

  getWithExpiry(key: string): Promise<ExpiringValue | undefined> {
    return this.#call('read failed', () => {
      checkKey(key, this.#limits, this.origin);
      return this._getWithExpiry(key);
    });
  }

  set(key: string, value: EncodedValue, options?: WriteOptions): Promise<void> {
    return this.#call('write failed', () => {
      checkKey(key, this.#limits, this.origin);
      checkValue(value, key, this.#limits, this.origin);
      checkWriteOptions(options, this.origin);
      return this._set(key, value, options ?? {});
    });
  }

  delete(key: string): Promise<boolean> {
    return this.#call('delete failed', () => {
      checkKey(key, this.#limits, this.origin);
      return this._delete(key);
    });
  }

  /**
   * Runs `body` with this view and commits when it resolves. The view is finished when the
   * body has settled, whatever happened: a view kept past its body fails with the "over"
   * error. The body's own rejection reaches the caller unchanged (the same object), and
   * nothing is committed; an error of `_commit` comes back as a StowageError.
   */
  async execute<T>(body: (tx: this) => Promise<T>): Promise<T> {
    checkFunction(body, 'a transaction', this.origin);
    if (this.#state !== 'ready') {
      throw new StowageError('INVALID_ARGUMENT', 'a transaction runs one body only', { origin: this.origin });
    }
    // Stryker disable next-line StringLiteral: only 'ready' and 'over' are ever tested
    this.#state = 'running';
    try {
      const result = await body(this);
      this.#state = 'over';
      // A call the body started but did not await still belongs to it. No call can start
      // once the state is 'over', so one wait covers them all.
      await Promise.allSettled([...this.#pending]);
      try {
        await this._commit();
      } catch (error) {
        throw toStowageError(error, this.origin, 'transaction commit failed');
      }
      return result;
    } finally {
      this.#state = 'over';
    }
  }

  #call<T>(context: string, operation: () => T | Promise<T>): Promise<T> {
    if (this.#state === 'over') return Promise.reject(overError(this.origin));
    let promise: Promise<T>;
    try {
      const result = operation();
      promise = result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(toStowageError(error, this.origin, `transaction ${context}`));
    }
    const settled = promise.then(
      (value) => value,
      (error: unknown) => {
        throw toStowageError(error, this.origin, `transaction ${context}`);
      },
    );
    this.#pending.add(settled);
    // Stryker disable next-line BlockStatement: a settled call left in the set is waited for at no cost; the set ends with the transaction
    const forget = (): void => {
      this.#pending.delete(settled);
    };
    settled.then(forget, forget);
    return settled;
  }
}

/** The one error for a transaction view used after its body ended (INVALID_ARGUMENT: the caller's mistake). */
export function overError(origin: string): StowageError {
  return new StowageError(
    'INVALID_ARGUMENT',
    'the transaction is over (its body has returned or thrown); use its view only inside the body',
    { origin },
  );
}
