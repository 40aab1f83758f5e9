/**
 * The one lifecycle wrapper of Stowage. An engine extends AbstractBackend and writes the
 * protected `_hooks`; the public methods here check the lifecycle (new → opening → open →
 * closing → closed), validate every argument, then call the hook with exactly the checked
 * arguments. So lifecycle and input rules are written once, and no engine can forget them.
 * Optional fast paths have working defaults built from the required hooks; an engine
 * overrides the ones it can do better.
 */
import type {
  BackendSupports,
  BatchOperation,
  EncodedValue,
  LifecycleState,
  RangeOptions,
  StorageBackend,
  WriteOptions,
} from './backend.js';
import { StowageError } from './errors.js';
import { assertValidKey, assertValidRange } from './keys.js';

/** Defaults for a backend's manifest: the most modest claims. */
export const defaultSupports: BackendSupports = {
  persistent: false,
  orderedIteration: false,
  atomicBatch: false,
  transactions: false,
  versions: false,
  nativeTtl: false,
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

  constructor(origin: string, supports: Partial<BackendSupports> = {}) {
    this.origin = origin;
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

  // ---- hooks with defaults an engine may override ----
  protected async *_keys(range: RangeOptions): AsyncIterable<string> {
    for await (const [key] of this._entries(range)) yield key;
  }
  /** May answer synchronously, like `_get`. */
  protected _has(key: string): Promise<boolean> | boolean {
    const value = this._get(key);
    return value instanceof Promise ? value.then((found) => found !== undefined) : value !== undefined;
  }
  /** May answer synchronously, like `_get`. */
  protected _getMany(keys: readonly string[]): Promise<(EncodedValue | undefined)[]> | (EncodedValue | undefined)[] {
    return (async () => {
      const values: (EncodedValue | undefined)[] = [];
      for (const key of keys) values.push(await this._get(key));
      return values;
    })();
  }
  /** Not atomic: an engine that sets `supports.atomicBatch` must override it. */
  protected async _apply(operations: readonly BatchOperation[]): Promise<void> {
    for (const operation of operations) {
      if (operation.type === 'set') {
        await this._set(operation.key, operation.value, expiryOptions(operation.expiresAt));
      } else {
        await this._delete(operation.key);
      }
    }
  }
  protected async _size(): Promise<number> {
    let count = 0;
    for await (const _ of this._keys({})) count++;
    return count;
  }
  protected async _clear(range: RangeOptions): Promise<void> {
    const doomed: string[] = [];
    // Hooks may treat `limit` as a hint only, so the default counts for itself.
    for await (const key of this._keys(range)) {
      if (range.limit !== undefined && doomed.length >= range.limit) break;
      doomed.push(key);
    }
    for (const key of doomed) await this._delete(key);
  }
  protected async _flush(): Promise<void> {}

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
        throw this.wrapError(error, 'open failed');
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
      } finally {
        this.#state = 'closed';
      }
    })();
    return this.#closing;
  }

  // ---- required operations ----
  get(key: string): Promise<EncodedValue | undefined> {
    return this.run(() => {
      this.checkKey(key);
      return this._get(key);
    });
  }

  set(key: string, value: EncodedValue, options: WriteOptions = {}): Promise<void> {
    return this.run(() => {
      this.checkKey(key);
      this.checkValue(value, key);
      this.checkExpiry(options.expiresAt);
      return this._set(key, value, options);
    });
  }

  delete(key: string): Promise<boolean> {
    return this.run(() => {
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
    return this.run(() => {
      this.checkKey(key);
      return this._has(key);
    });
  }

  getMany(keys: readonly string[]): Promise<(EncodedValue | undefined)[]> {
    return this.run(() => {
      if (!Array.isArray(keys)) throw this.argumentError('getMany takes an array of keys');
      for (const key of keys) this.checkKey(key);
      return this._getMany(keys);
    });
  }

  apply(operations: readonly BatchOperation[]): Promise<void> {
    return this.run(() => {
      if (!Array.isArray(operations)) throw this.argumentError('apply takes an array of operations');
      // Everything is checked before anything is written, so bad input changes nothing.
      for (const operation of operations) {
        if (operation === null || typeof operation !== 'object')
          throw this.argumentError('an operation must be an object');
        this.checkKey(operation.key);
        if (operation.type === 'set') {
          this.checkValue(operation.value, operation.key);
          this.checkExpiry(operation.expiresAt);
        } else if (operation.type !== 'delete') {
          throw this.argumentError(`unknown operation type ${String((operation as { type: unknown }).type)}`);
        }
      }
      return operations.length === 0 ? Promise.resolve() : this._apply(operations);
    });
  }

  size(): Promise<number> {
    return this.run(() => this._size());
  }

  clear(range: RangeOptions = {}): Promise<void> {
    return this.run(() => {
      assertValidRange(range, this.origin);
      return this._clear(range);
    });
  }

  flush(): Promise<void> {
    return this.run(() => this._flush());
  }

  // ---- helpers for engines ----

  /**
   * Runs `operation` if the store is open, counting it as in flight so `close` waits for
   * it. Engines call this from their own extra public methods (versions, transaction, ...).
   */
  protected run<T>(operation: () => T | Promise<T>): Promise<T> {
    if (this.#state !== 'open') return Promise.reject(this.closedError());
    this.#inFlight++;
    let result: T | Promise<T>;
    try {
      result = operation();
    } catch (error) {
      this.#settle();
      return Promise.reject(this.engineError(error, 'operation failed'));
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
        throw this.engineError(error, 'operation failed');
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
    assertValidKey(key, this.supports.maxKeyBytes, this.origin);
  }

  protected checkValue(value: unknown, key: string): asserts value is EncodedValue {
    let bytes: number;
    if (typeof value === 'string') {
      // UTF-8 cannot hold a lone surrogate: a file engine would hand back a different string.
      if (!value.isWellFormed()) {
        throw new StowageError('INVALID_VALUE', 'a string value must be well-formed UTF-16 (it has a lone surrogate)', {
          origin: this.origin,
          key,
        });
      }
      bytes = value.length * 3 <= this.supports.maxValueBytes ? 0 : Buffer.byteLength(value, 'utf8');
    } else if (value instanceof Uint8Array) {
      bytes = value.byteLength;
    } else {
      throw new StowageError('INVALID_VALUE', 'an encoded value must be a string or a Uint8Array', {
        origin: this.origin,
        key,
      });
    }
    if (bytes > this.supports.maxValueBytes) {
      throw new StowageError(
        'INVALID_VALUE',
        `a value may be at most ${this.supports.maxValueBytes} bytes, got ${bytes}`,
        {
          origin: this.origin,
          key,
        },
      );
    }
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

  /**
   * Errors of the system or the driver underneath (they carry a string `code`: EIO,
   * SQLITE_FULL, ...) become IO; anything else — a StowageError, or an error the user threw
   * inside a transaction body — passes through unchanged, so callers get their own error back.
   */
  protected engineError(error: unknown, context: string): unknown {
    const code = (error as { code?: unknown } | null)?.code;
    return !StowageError.is(error) && typeof code === 'string' ? this.wrapError(error, context) : error;
  }

  /** A StowageError passes through; anything else becomes IO with the original as cause. */
  protected wrapError(error: unknown, context: string): StowageError {
    if (StowageError.is(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new StowageError('IO', `${context}: ${message}`, { origin: this.origin, cause: error });
  }

  /** Throws INVALID_ARGUMENT unless `expiresAt` is absent or a finite number. */
  protected checkExpiry(expiresAt: unknown): void {
    if (expiresAt !== undefined && !(typeof expiresAt === 'number' && Number.isFinite(expiresAt))) {
      throw this.argumentError('expiresAt must be a finite number of ms since the epoch');
    }
  }

  private argumentError(message: string): StowageError {
    return new StowageError('INVALID_ARGUMENT', message, { origin: this.origin });
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
          throw self.engineError(error, 'iteration failed');
        } finally {
          if (self.#state === 'open') await iterator.return?.();
        }
      },
    };
  }
}

function expiryOptions(expiresAt: number | undefined): WriteOptions {
  return expiresAt === undefined ? {} : { expiresAt };
}
