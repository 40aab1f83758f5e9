/**
 * Deliberately broken backends, each with one defect a real engine could have. The kit's
 * self-test runs its cases against them and expects the relevant cases to fail; if the kit
 * ever stops catching one of these, the kit has lost its teeth.
 */
import {
  AbstractBackend,
  type BackendSupports,
  compareKeys,
  type EncodedValue,
  inRange,
  type RangeOptions,
  type StorageBackend,
  StowageError,
  type WriteOptions,
} from '@stowage/core';

/** A plain, correct, unordered backend on a Map; each broken variant overrides one thing. */
export class PlainBackend extends AbstractBackend {
  readonly name: string = 'plain';
  protected data = new Map<string, EncodedValue>();

  constructor(supports: Partial<BackendSupports> = {}) {
    super('@stowage/conformance/self-test', supports);
  }

  protected async _open(): Promise<void> {}
  protected async _close(): Promise<void> {}
  protected async _get(key: string): Promise<EncodedValue | undefined> {
    return copy(this.data.get(key));
  }
  protected async _set(key: string, value: EncodedValue, _options: WriteOptions): Promise<void> {
    this.data.set(key, copy(value));
  }
  protected async _delete(key: string): Promise<boolean> {
    return this.data.delete(key);
  }
  protected async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    const keys = this.orderedKeys().filter((key) => inRange(key, range));
    if (range.reverse) keys.reverse();
    for (const key of keys) {
      const value = this.data.get(key);
      if (value !== undefined) yield [key, copy(value)];
    }
  }
  protected orderedKeys(): string[] {
    return [...this.data.keys()].sort(compareKeys);
  }
}

/** Persists to a shared "disk" at close, but drops the write that came last. */
export class LosesWritesOnReopen extends PlainBackend {
  override readonly name: string = 'loses-writes-on-reopen';
  #lastKey: string | undefined;

  constructor(readonly disk = new Map<string, EncodedValue>()) {
    super({ persistent: true, durability: ['none'] });
  }
  protected override async _open(): Promise<void> {
    this.data = new Map(this.disk);
  }
  protected override async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    this.#lastKey = key;
    await super._set(key, value, options);
  }
  protected override async _close(): Promise<void> {
    this.disk.clear();
    for (const [key, value] of this.data) if (key !== this.#lastKey) this.disk.set(key, value);
  }
}

/** Copy-on-write without a lock: concurrent writes each start from a stale copy and undo each other. */
export class StaleUnderConcurrency extends PlainBackend {
  override readonly name = 'stale-under-concurrency';
  protected override async _set(key: string, value: EncodedValue): Promise<void> {
    const next = new Map(this.data);
    next.set(key, copy(value));
    await new Promise((resolve) => setImmediate(resolve));
    this.data = next;
  }
}

/** A read cache filled after an await: a read racing a write caches the old value for good. */
export class StaleReadCache extends PlainBackend {
  override readonly name = 'stale-read-cache';
  readonly #cache = new Map<string, EncodedValue | undefined>();
  protected override async _get(key: string): Promise<EncodedValue | undefined> {
    if (this.#cache.has(key)) return copy(this.#cache.get(key));
    const value = this.data.get(key);
    await new Promise((resolve) => setImmediate(resolve));
    this.#cache.set(key, value);
    return copy(value);
  }
  protected override async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    this.#cache.delete(key);
    await new Promise((resolve) => setImmediate(resolve));
    await super._set(key, value, options);
  }
  protected override async _delete(key: string): Promise<boolean> {
    this.#cache.delete(key);
    return super._delete(key);
  }
}

/** Claims ordered iteration but sorts by UTF-16 code unit, as JavaScript's `<` does. */
export class Utf16Ordered extends PlainBackend {
  override readonly name = 'utf16-ordered';
  constructor() {
    super({ orderedIteration: true });
  }
  protected override orderedKeys(): string[] {
    return [...this.data.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** Claims ordered iteration but yields keys in insertion order. */
export class InsertionOrdered extends PlainBackend {
  override readonly name = 'insertion-ordered';
  constructor() {
    super({ orderedIteration: true });
  }
  protected override orderedKeys(): string[] {
    return [...this.data.keys()];
  }
}

/** Its "disk" fails on values over 1 MiB, and the error is swallowed: set resolves, nothing stored. */
export class SwallowsWriteErrors extends PlainBackend {
  override readonly name = 'swallows-write-errors';
  protected override async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    try {
      if (typeof value !== 'string' ? value.byteLength > 1 << 20 : value.length > 1 << 20) {
        throw new StowageError('IO', 'ENOSPC: no space left on device', { origin: '@stowage/conformance/self-test' });
      }
      await super._set(key, value, options);
    } catch {
      // The defect: the write error never reaches the caller.
    }
  }
}

/** Implements the contract without AbstractBackend and forgets the lifecycle: it works after close. */
export class WorksAfterClose implements StorageBackend {
  readonly name = 'works-after-close';
  readonly supports: BackendSupports;
  state: StorageBackend['state'] = 'new';
  readonly #inner = new PlainBackend();

  constructor() {
    this.supports = this.#inner.supports;
  }
  async open(): Promise<void> {
    await this.#inner.open();
    this.state = 'open';
  }
  async close(): Promise<void> {
    this.state = 'closed'; // the defect: the inner store stays open and serves every call
  }
  get(key: string) {
    return this.#inner.get(key);
  }
  set(key: string, value: EncodedValue, options?: WriteOptions) {
    return this.#inner.set(key, value, options);
  }
  delete(key: string) {
    return this.#inner.delete(key);
  }
  entries(range?: RangeOptions) {
    return this.#inner.entries(range);
  }
}

function copy<T extends EncodedValue | undefined>(value: T): T {
  return (value instanceof Uint8Array ? new Uint8Array(value) : value) as T;
}

/** Maintenance that rewrites the store from a snapshot taken before an await: writes made meanwhile are reverted. */
export class CompactionRevertsWrites extends PlainBackend {
  override readonly name = 'compaction-reverts-writes';
  async compact(): Promise<void> {
    const snapshot = new Map(this.data);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.data = snapshot;
  }
}

/** Maintenance that closes the files under the writers for a moment: writes during it fail. */
export class RejectsWritesDuringCompaction extends PlainBackend {
  override readonly name = 'rejects-writes-during-compaction';
  #compacting = false;
  async compact(): Promise<void> {
    this.#compacting = true;
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.#compacting = false;
  }
  protected override async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    if (this.#compacting) {
      throw new StowageError('IO', 'EBADF: file handle is closed', { origin: '@stowage/conformance/self-test' });
    }
    await super._set(key, value, options);
  }
}

/** Correct maintenance: the rewrite happens in one synchronous step, so nothing can interleave. */
export class CompactsCorrectly extends PlainBackend {
  override readonly name = 'compacts-correctly';
  async compact(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.data = new Map(this.data);
  }
}

/** Saves keys cut to 255 UTF-8 bytes (a fixed-width key column): long keys come back wrong after reopen. */
export class TruncatesLongKeysOnReopen extends LosesWritesOnReopen {
  override readonly name = 'truncates-long-keys-on-reopen';
  protected override async _close(): Promise<void> {
    this.disk.clear();
    for (const [key, value] of this.data) {
      this.disk.set(new TextDecoder().decode(new TextEncoder().encode(key).subarray(0, 255)), value);
    }
  }
}

/** Iterates whatever range it is given, unchecked: `reverse: 'yes'` or `limit: -1` pass silently. */
export class UncheckedRanges extends PlainBackend {
  override readonly name = 'unchecked-ranges';
  override entries(range: RangeOptions = {}): AsyncIterable<[string, EncodedValue]> {
    return this._entries(range);
  }
  override async *keys(range: RangeOptions = {}): AsyncIterable<string> {
    for await (const [key] of this._entries(range)) yield key;
  }
}

/** Declares a 300-byte key limit but counts UTF-16 units: keys of wide characters over the limit get in. */
export class CountsKeyUnits extends WorksAfterClose {
  override readonly supports: BackendSupports = { ...new PlainBackend().supports, maxKeyBytes: 300 };
  override set(key: string, value: EncodedValue, options?: WriteOptions) {
    if (typeof key === 'string' && key.length > 300) {
      return Promise.reject(
        new StowageError('INVALID_KEY', 'key too long', { origin: '@stowage/conformance/self-test' }),
      );
    }
    return super.set(key, value, options);
  }
}

/** Its clear ignores the range it is given and empties the whole store: a namespace's clear wipes its neighbours. */
export class ClearIgnoresRange extends PlainBackend {
  override readonly name = 'clear-ignores-range';
  protected override async _clear(): Promise<void> {
    this.data.clear();
  }
}

/** An approximate store that answers "present" for about 1 in 8 strangers, and forgets every 500th member. */
export class LeakyFilter extends PlainBackend {
  override readonly name = 'leaky-filter';
  constructor(readonly forgets: boolean) {
    super({ exactMembership: false });
  }
  protected override async _get(key: string): Promise<EncodedValue | undefined> {
    const hash = [...key].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
    if (key.startsWith('stranger:')) return hash % 8 === 0 ? 'maybe' : undefined;
    if (this.forgets && hash % 500 === 0) return undefined;
    return super._get(key);
  }
}
