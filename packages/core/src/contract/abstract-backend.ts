/**
 * The one lifecycle wrapper of Stowage. An engine extends AbstractBackend and writes the
 * protected `_hooks`; the public methods here check the lifecycle (new → opening → open →
 * closing → closed), validate every argument, then call the hook with exactly the checked
 * arguments. So lifecycle and input rules are written once, and no engine can forget them.
 * Optional fast paths have working defaults built from the required hooks; an engine
 * overrides the ones it can do better.
 */

import { assertDurabilityLevels } from './durability.js';
import { StowageError } from './errors.js';
import * as fallbacks from './fallbacks.js';
import { argumentError, checkExpiry, checkFunction, checkKey, checkValue, checkWriteOptions } from './input-checks.js';
import { assertValidRange } from './keys.js';
import {
  type BackendSupports,
  type BackendTransaction,
  type BatchOperation,
  CONTRACT_VERSION,
  type EncodedValue,
  type ExpiringValue,
  type LifecycleState,
  type RangeOptions,
  type StorageBackend,
  type VersionInfo,
  type WriteOptions,
} from './storage-backend.js';
import { toStowageError } from './to-stowage-error.js';

/** Defaults for a backend's manifest: the most modest claims. */
export const defaultSupports: BackendSupports = {
  persistent: false,
  orderedIteration: false,
  atomicBatch: false,
  transactions: false,
  versions: false,
  nativeTtl: false,
  storesExpiry: false,
  exactMembership: true,
  multiProcess: false,
  durability: [],
  maxKeyBytes: 64 * 1024,
  maxValueBytes: 256 * 1024 * 1024,
};

export abstract class AbstractBackend implements StorageBackend {
  abstract readonly name: string;
  readonly supports: BackendSupports;
  /** The package the engine lives in, named in every error message. */
  protected readonly origin: string;

  #state: LifecycleState = 'new';
  #opening: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #inFlight = 0;
  #drained: (() => void) | undefined;

  /** The contract this backend implements (see CONTRACT_VERSION in backend.ts). */
  readonly contractVersion: number = CONTRACT_VERSION;

  constructor(origin: string, supports: Partial<BackendSupports> = {}) {
    this.origin = origin;
    // A manifest naming a durability core does not know would make every tool guess.
    assertDurabilityLevels(origin, supports.durability ?? defaultSupports.durability);
    // Core stops writing its envelope for such a backend and leaves expiry to its sweep.
    if (supports.storesExpiry === true && supports.nativeTtl !== true) {
      throw new StowageError('INVALID_CONFIG', `${origin}: supports.storesExpiry needs supports.nativeTtl`, { origin });
    }
    this.supports = Object.freeze({ ...defaultSupports, ...supports });
  }

  get state(): LifecycleState {
    return this.#state;
  }

  // ---- hooks an engine writes ----
  protected abstract _open(): Promise<void>;
  protected abstract _close(): Promise<void>;
  /** May answer synchronously; the public `get` still returns a promise. */
  protected abstract _get(key: string): Promise<EncodedValue | undefined> | EncodedValue | undefined;
  protected abstract _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void>;
  protected abstract _delete(key: string): Promise<boolean>;
  protected abstract _entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]>;

  // ---- hooks with defaults an engine may override (built from the required hooks, see fallbacks.ts) ----
  protected _keys(range: RangeOptions): AsyncIterable<string> {
    return fallbacks.keysOf({ entries: (bounds) => this._entries(bounds) }, range);
  }
  /** May answer synchronously, like `_get`. */
  protected _has(key: string): Promise<boolean> | boolean {
    const value = this._get(key);
    return value instanceof Promise ? value.then((found) => found !== undefined) : value !== undefined;
  }
  /** May answer synchronously, like `_get`. */
  protected _getMany(keys: readonly string[]): Promise<(EncodedValue | undefined)[]> | (EncodedValue | undefined)[] {
    return fallbacks.getManyOneByOne(this.#required, keys);
  }
  /** Not atomic: an engine that sets `supports.atomicBatch` must override it. */
  protected _apply(operations: readonly BatchOperation[]): Promise<void> {
    return fallbacks.applyInOrder(this.#required, operations);
  }
  protected _size(): Promise<number> {
    return fallbacks.countEntries(this.#required);
  }
  protected _clear(range: RangeOptions): Promise<void> {
    return fallbacks.clearRange(this.#required, range);
  }
  protected async _flush(): Promise<void> {}

  // ---- hooks of the optional abilities: an engine that declares one in `supports` writes its hook ----
  /** Runs `body` as one optimistic transaction; see AbstractTransaction for the view. */
  protected _transaction<T>(_body: (tx: BackendTransaction) => Promise<T>): Promise<T> {
    return Promise.reject(this.unsupported('transaction', 'supports.transactions is set but _transaction is missing'));
  }
  /** Deletes the entries whose expiry is at or before `now`; returns how many. */
  protected _sweepExpired(_now: number): Promise<number> {
    return Promise.reject(this.unsupported('sweepExpired', 'supports.nativeTtl is set but _sweepExpired is missing'));
  }
  /** The value of `key` and its expiry, expired or not. May answer synchronously. */
  protected _getWithExpiry(_key: string): Promise<ExpiringValue | undefined> | ExpiringValue | undefined {
    throw this.unsupported('getWithExpiry', 'supports.storesExpiry is set but _getWithExpiry is missing');
  }
  protected _entriesWithExpiry(_range: RangeOptions): AsyncIterable<[string, ExpiringValue]> {
    throw this.unsupported('entriesWithExpiry', 'supports.storesExpiry is set but _entriesWithExpiry is missing');
  }
  protected _versions(_key: string): Promise<VersionInfo[]> {
    return Promise.reject(this.unsupported('versions', 'supports.versions is set but _versions is missing'));
  }
  protected _getVersion(_key: string, _sequence: number): Promise<EncodedValue | undefined> {
    return Promise.reject(this.unsupported('getVersion', 'supports.versions is set but _getVersion is missing'));
  }

  /** The required hooks as the fallbacks see them (bound once: the defaults above build on them). */
  readonly #required: fallbacks.RequiredOperations = {
    get: (key) => this._get(key),
    set: (key, value, options) => this._set(key, value, options),
    delete: (key) => this._delete(key),
    entries: (range) => this._entries(range),
    keys: (range) => this._keys(range),
  };

  // ---- lifecycle ----
  open(): Promise<void> {
    if (this.#state === 'open') return Promise.resolve();
    if (this.#state === 'opening' && this.#opening) return this.#opening;
    if (this.#state === 'closing' || this.#state === 'closed') return Promise.reject(this.closedError());
    this.#state = 'opening';
    this.#opening = this._open().then(
      () => {
        this.#state = 'open';
      },
      (error: unknown) => {
        if (this.#state === 'opening') this.#state = 'new'; // a failed open may be retried (unless closing)
        this.#opening = undefined;
        throw toStowageError(error, this.origin, 'open failed');
      },
    );
    return this.#opening;
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    if (this.#state === 'new' || this.#state === 'closed') {
      this.#state = 'closed';
      return Promise.resolve();
    }
    const wasOpening = this.#opening;
    this.#state = 'closing';
    this.#closing = (async () => {
      try {
        // Let an open in progress finish, then every acknowledged operation drain.
        let opened = true;
        if (wasOpening) await wasOpening.catch(() => (opened = false));
        if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
        // An engine whose open failed has nothing to release.
        if (opened) await this._close();
      } catch (error) {
        throw toStowageError(error, this.origin, 'close failed');
      } finally {
        this.#state = 'closed';
      }
    })();
    return this.#closing;
  }

  // ---- required operations ----
  get(key: string): Promise<EncodedValue | undefined> {
    return this.#call('get failed', () => {
      this.checkKey(key);
      return this._get(key);
    });
  }

  set(key: string, value: EncodedValue, options?: WriteOptions): Promise<void> {
    return this.#call('set failed', () => {
      this.checkKey(key);
      this.checkValue(value, key);
      checkWriteOptions(options, this.origin);
      return this._set(key, value, options ?? {});
    });
  }

  delete(key: string): Promise<boolean> {
    return this.#call('delete failed', () => {
      this.checkKey(key);
      return this._delete(key);
    });
  }

  entries(range: RangeOptions = {}): AsyncIterable<[string, EncodedValue]> {
    return this.iterate(range, (checked) => this._entries(checked));
  }

  // ---- optional fast paths, always present on an AbstractBackend ----
  keys(range: RangeOptions = {}): AsyncIterable<string> {
    return this.iterate(range, (checked) => this._keys(checked));
  }

  has(key: string): Promise<boolean> {
    return this.#call('has failed', () => {
      this.checkKey(key);
      return this._has(key);
    });
  }

  getMany(keys: readonly string[]): Promise<(EncodedValue | undefined)[]> {
    return this.#call('getMany failed', () => {
      if (!Array.isArray(keys))
        throw argumentError(`getMany takes an array of keys, got ${describe(keys)}`, this.origin);
      for (const key of keys) this.checkKey(key);
      return this._getMany(keys);
    });
  }

  apply(operations: readonly BatchOperation[]): Promise<void> {
    return this.#call('apply failed', () => {
      if (!Array.isArray(operations)) {
        throw argumentError(`apply takes an array of operations, got ${describe(operations)}`, this.origin);
      }
      // Everything is checked before anything is written, so bad input changes nothing.
      for (const operation of operations) {
        if (operation === null || typeof operation !== 'object') {
          throw argumentError(`an operation must be an object, got ${describe(operation)}`, this.origin);
        }
        this.checkKey(operation.key);
        if (operation.type === 'set') {
          this.checkValue(operation.value, operation.key);
          this.checkExpiry(operation.expiresAt);
        } else if (operation.type !== 'delete') {
          throw argumentError(`unknown operation type ${String((operation as { type: unknown }).type)}`, this.origin);
        }
      }
      return operations.length === 0 ? Promise.resolve() : this._apply(operations);
    });
  }

  size(): Promise<number> {
    return this.#call('size failed', () => this._size());
  }

  clear(range: RangeOptions = {}): Promise<void> {
    return this.#call('clear failed', () => {
      assertValidRange(range, this.origin);
      return this._clear(range);
    });
  }

  flush(): Promise<void> {
    return this.#call('flush failed', () => this._flush());
  }

  // ---- optional abilities: validated here, then the hook; NOT_SUPPORTED unless declared ----

  /** Runs `body` as one optimistic transaction (`supports.transactions`); the body's own error reaches the caller unchanged. */
  transaction<T>(body: (tx: BackendTransaction) => Promise<T>): Promise<T> {
    return this.#transactionCall(body);
  }

  /** Deletes entries whose expiry is at or before `now` (`supports.nativeTtl`); resolves how many. */
  sweepExpired(now: number): Promise<number> {
    return this.#call('sweepExpired failed', () => {
      if (!(typeof now === 'number' && Number.isFinite(now))) {
        throw argumentError(
          `sweepExpired takes a finite number of ms since the epoch, got ${String(now)}`,
          this.origin,
        );
      }
      if (!this.supports.nativeTtl) throw this.unsupported('sweepExpired', 'it has no native TTL');
      return this._sweepExpired(now);
    });
  }

  /** The value of `key` with its expiry, expired or not (`supports.storesExpiry`). */
  getWithExpiry(key: string): Promise<ExpiringValue | undefined> {
    return this.#call('getWithExpiry failed', () => {
      this.checkKey(key);
      if (!this.supports.storesExpiry) throw this.unsupported('getWithExpiry', 'it keeps no expiries of its own');
      return this._getWithExpiry(key);
    });
  }

  /** `entries` with each entry's expiry (`supports.storesExpiry`). */
  entriesWithExpiry(range: RangeOptions = {}): AsyncIterable<[string, ExpiringValue]> {
    return this.iterate(range, (checked) => {
      if (!this.supports.storesExpiry) throw this.unsupported('entriesWithExpiry', 'it keeps no expiries of its own');
      return this._entriesWithExpiry(checked);
    });
  }

  /** Every stored version of `key`, oldest first (`supports.versions`). */
  versions(key: string): Promise<VersionInfo[]> {
    return this.#call('versions failed', () => {
      this.checkKey(key);
      if (!this.supports.versions) throw this.unsupported('versions', 'it keeps no versions');
      return this._versions(key);
    });
  }

  /** The value `key` had after the write with `sequence` (`supports.versions`). */
  getVersion(key: string, sequence: number): Promise<EncodedValue | undefined> {
    return this.#call('getVersion failed', () => {
      this.checkKey(key);
      if (!(Number.isSafeInteger(sequence) && sequence >= 0)) {
        throw argumentError(`a sequence must be a non-negative safe integer, got ${String(sequence)}`, this.origin);
      }
      if (!this.supports.versions) throw this.unsupported('getVersion', 'it keeps no versions');
      return this._getVersion(key, sequence);
    });
  }

  /**
   * `transaction(body)`: body checked, ability checked, then `_transaction`. The body's own
   * rejection reaches the caller as the very same object; any other failure is a StowageError.
   */
  #transactionCall<T>(body: (tx: BackendTransaction) => Promise<T>): Promise<T> {
    let bodyFailed = false;
    let bodyError: unknown;
    const watched = async (tx: BackendTransaction): Promise<T> => {
      try {
        return await body(tx);
      } catch (error) {
        bodyFailed = true;
        bodyError = error;
        throw error;
      }
    };
    const isBodyError = (error: unknown): boolean => bodyFailed && error === bodyError;
    return this.#track(
      () => {
        checkFunction(body, 'transaction', this.origin);
        if (!this.supports.transactions) throw this.unsupported('transaction', 'it has no transactions');
        return this._transaction(watched);
      },
      (error) => (isBodyError(error) ? error : toStowageError(error, this.origin, 'transaction failed')),
    );
  }

  // ---- helpers for engines ----

  /**
   * Runs `operation` if the store is open, counting it as in flight so `close` waits for
   * it. Engines call this from their own extra public methods (merge, verify, ...).
   * An error with a string `code` (a system or driver error) becomes a StowageError; any
   * other error passes through, for engines that still run a user's transaction body here.
   */
  protected run<T>(operation: () => T | Promise<T>): Promise<T> {
    return this.#track(operation, (error) => this.engineError(error, 'operation failed'));
  }

  /** Like `run`, for the contract's own methods: every failure becomes a StowageError. */
  #call<T>(context: string, operation: () => T | Promise<T>): Promise<T> {
    return this.#track(operation, (error) => toStowageError(error, this.origin, context));
  }

  #track<T>(operation: () => T | Promise<T>, mapError: (error: unknown) => unknown): Promise<T> {
    if (this.#state !== 'open') return Promise.reject(this.closedError());
    this.#inFlight++;
    let result: T | Promise<T>;
    try {
      result = operation();
    } catch (error) {
      this.#settle();
      return Promise.reject(mapError(error));
    }
    // An engine that answers synchronously (a keydir lookup and one positional read) is
    // not charged an extra round of promises: on the hot read path that is most of the cost.
    if (!(result instanceof Promise)) {
      this.#settle();
      return Promise.resolve(result);
    }
    return result.then(
      (value) => {
        this.#settle();
        return value;
      },
      (error: unknown) => {
        this.#settle();
        throw mapError(error);
      },
    );
  }

  #settle(): void {
    if (--this.#inFlight === 0 && this.#drained) {
      this.#drained();
      this.#drained = undefined;
    }
  }

  /** Throws STORE_CLOSED unless open. */
  protected assertOpen(): void {
    if (this.#state !== 'open') throw this.closedError();
  }

  protected checkKey(key: unknown): asserts key is string {
    checkKey(key, this.supports, this.origin);
  }

  protected checkValue(value: unknown, key: string): asserts value is EncodedValue {
    checkValue(value, key, this.supports, this.origin);
  }

  /** Throws INVALID_ARGUMENT unless `expiresAt` is absent or a finite number. */
  protected checkExpiry(expiresAt: unknown): void {
    checkExpiry(expiresAt, this.origin);
  }

  protected closedError(): StowageError {
    return new StowageError(
      'STORE_CLOSED',
      `the ${this.name} store is ${this.#state === 'new' ? 'not open' : this.#state}`,
      {
        origin: this.origin,
      },
    );
  }

  /** NOT_SUPPORTED for an optional ability this backend does not offer. */
  protected unsupported(operation: string, why: string): StowageError {
    return new StowageError('NOT_SUPPORTED', `the ${this.name} backend does not offer ${operation}: ${why}`, {
      origin: this.origin,
    });
  }

  /**
   * Errors of the system or the driver underneath (they carry a string `code`: EIO,
   * SQLITE_FULL, ...) become StowageErrors; anything else — a StowageError, or an error the
   * user threw inside a transaction body — passes through unchanged, so callers get their own
   * error back. Only `run` uses this leniency; the contract's methods use `toStowageError`.
   */
  protected engineError(error: unknown, context: string): unknown {
    const code = (error as { code?: unknown } | null)?.code;
    return !StowageError.is(error) && typeof code === 'string' ? toStowageError(error, this.origin, context) : error;
  }

  /** A StowageError passes through; anything else becomes a StowageError (see `toStowageError`). */
  protected wrapError(error: unknown, context: string): StowageError {
    return toStowageError(error, this.origin, context);
  }

  private iterate<T>(range: RangeOptions, source: (range: RangeOptions) => AsyncIterable<T>): AsyncIterable<T> {
    const self = this;
    return {
      // Iteration is not counted in flight: an iterator a caller abandons must not keep
      // close() waiting. Instead every step checks the store is still open before it
      // touches the engine, so an iterator outliving its store fails with STORE_CLOSED.
      async *[Symbol.asyncIterator]() {
        self.assertOpen();
        assertValidRange(range, self.origin);
        if (range.limit === 0) return;
        const iterator = source(range)[Symbol.asyncIterator]();
        let yielded = 0;
        try {
          while (true) {
            self.assertOpen();
            const step = await iterator.next();
            if (step.done) return;
            yield step.value;
            if (range.limit !== undefined && ++yielded >= range.limit) return;
          }
        } catch (error) {
          throw toStowageError(error, self.origin, 'iteration failed');
        } finally {
          if (self.#state === 'open') await iterator.return?.();
        }
      },
    };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
