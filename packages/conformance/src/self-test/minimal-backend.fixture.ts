/**
 * A correct backend with only the required methods of the contract and no AbstractBackend,
 * so the kit's raw fallbacks and the map's fallbacks (has, getMany, apply, size, clear,
 * keys) are what gets proven when the whole kit runs on it.
 */
import {
  assertValidKey,
  assertValidRange,
  type BackendSupports,
  compareKeys,
  defaultSupports,
  type EncodedValue,
  inRange,
  type LifecycleState,
  type RangeOptions,
  type StorageBackend,
  StowageError,
} from '@stowage/core';

const origin = '@stowage/conformance/self-test/minimal';

export class MinimalBackend implements StorageBackend {
  readonly name = 'minimal';
  readonly supports: BackendSupports = { ...defaultSupports, orderedIteration: true };
  state: LifecycleState = 'new';
  readonly #data = new Map<string, EncodedValue>();

  async open(): Promise<void> {
    if (this.state === 'closed') throw this.closed();
    this.state = 'open';
  }
  async close(): Promise<void> {
    this.state = 'closed';
  }
  async get(key: string): Promise<EncodedValue | undefined> {
    this.check(key);
    return copy(this.#data.get(key));
  }
  async set(key: string, value: EncodedValue): Promise<void> {
    this.check(key);
    if (typeof value === 'string' ? !value.isWellFormed() : !(value instanceof Uint8Array)) {
      throw new StowageError('INVALID_VALUE', 'a value must be a well-formed string or a Uint8Array', { origin });
    }
    this.#data.set(key, copy(value));
  }
  async delete(key: string): Promise<boolean> {
    this.check(key);
    return this.#data.delete(key);
  }
  entries(range: RangeOptions = {}): AsyncIterable<[string, EncodedValue]> {
    const self: MinimalBackend = this;
    return {
      async *[Symbol.asyncIterator]() {
        self.check('');
        assertValidRange(range, origin);
        const keys = [...self.#data.keys()].filter((key) => inRange(key, range)).sort(compareKeys);
        if (range.reverse) keys.reverse();
        let yielded = 0;
        for (const key of keys) {
          if (range.limit !== undefined && yielded >= range.limit) return;
          self.check('');
          const value = self.#data.get(key);
          if (value === undefined) continue;
          yielded++;
          yield [key, copy(value)];
        }
      },
    };
  }

  private check(key: unknown): asserts key is string {
    if (this.state !== 'open') throw this.closed();
    assertValidKey(key, this.supports.maxKeyBytes, origin);
  }
  private closed(): StowageError {
    return new StowageError('STORE_CLOSED', `the minimal store is ${this.state}`, { origin });
  }
}

function copy<T extends EncodedValue | undefined>(value: T): T {
  return (value instanceof Uint8Array ? new Uint8Array(value) : value) as T;
}
