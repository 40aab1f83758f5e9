/**
 * MapletBackend: the maplet as a Stowage engine, in one of two modes.
 * - approximate (no `inner`): values only in the maplet, a few bits per key, persisted as
 *   snapshot + change log when `dir` is given; `supports.exactMembership` is false.
 * - exact (`inner` given): a membership maplet in front of another backend, so reads of
 *   absent keys skip it; every answer is the inner backend's, exactly.
 */
import {
  AbstractBackend,
  type BackendSupports,
  type BatchOperation,
  type DurabilityLevel,
  type EncodedValue,
  type RangeOptions,
  type StorageBackend,
  StowageError,
  type WriteOptions,
} from '@stowage/core';
import type { FileSystem } from '@stowage/fs';
import { ApproximateStore } from './approximate-mode.js';
import { resolveBackendOptions } from './backend-options.js';
import { type ExactCounters, ExactFront } from './exact-mode.js';
import type { Maplet, MapletStats } from './maplet.js';
import { type MapletOptions, ORIGIN } from './maplet-config.js';

export interface MapletBackendOptions {
  /** Exact mode: the backend that holds the entries (opened and closed with this one). */
  readonly inner?: StorageBackend;
  /** Approximate mode: the folder of the snapshot and change log; omitted, the maplet lives in memory only. */
  readonly dir?: string;
  /** The file layer (default: the real disk). */
  readonly fs?: FileSystem;
  /** Approximate mode on disk: `batch` (default), `always` or `none`. */
  readonly durability?: DurabilityLevel;
  /** Target false-positive rate ε (default 0.01); the same as `maplet.falsePositiveRate`. */
  readonly falsePositiveRate?: number;
  /** The maplet's own options (value bits, merge operator, growth, ...). */
  readonly maplet?: MapletOptions;
  /** Approximate mode on disk: change-log records after which a write checkpoints (default 1,000,000). */
  readonly checkpointRecords?: number;
}

export interface MapletBackendStats extends MapletStats {
  readonly mode: 'approximate' | 'exact';
  /** Exact mode: what the reads did. */
  readonly reads?: ExactCounters;
}

export class MapletBackend extends AbstractBackend {
  readonly name = 'maplet';
  readonly mode: 'approximate' | 'exact';
  readonly #exact: ExactFront | undefined;
  readonly #approximate: ApproximateStore | undefined;

  constructor(options: MapletBackendOptions = {}) {
    const resolved = resolveBackendOptions(options);
    super(ORIGIN, supportsOf(options, resolved.durability));
    this.mode = options.inner === undefined ? 'approximate' : 'exact';
    if (options.inner !== undefined) this.#exact = new ExactFront(options.inner, resolved.maplet);
    else {
      const file =
        options.dir === undefined
          ? undefined
          : {
              dir: options.dir,
              maplet: resolved.maplet,
              durability: resolved.durability,
              ...(options.fs === undefined ? {} : { fs: options.fs }),
              ...(options.checkpointRecords === undefined ? {} : { checkpointRecords: options.checkpointRecords }),
            };
      this.#approximate = new ApproximateStore(file, resolved.maplet);
    }
  }

  /** The maplet itself (read it, do not write it: writes go through the backend). */
  get maplet(): Maplet {
    return this.#exact?.maplet ?? this.#approximate!.maplet;
  }

  /** Statistics measured now: `probes` random absent fingerprints estimate the false-positive rate. */
  stats(probes = 10_000): MapletBackendStats {
    this.assertOpen();
    const measured = this.maplet.stats(probes);
    return this.#exact
      ? { ...measured, mode: 'exact', reads: { ...this.#exact.counters } }
      : { ...measured, mode: 'approximate' };
  }

  /**
   * Maintenance. Exact mode: rebuilds the maplet from the inner keys, sized to their count
   * (a resize; writes go on meanwhile). Approximate mode on disk: a checkpoint.
   */
  rebuild(): Promise<void> {
    return this.run(() =>
      this.#exact ? this.#exact.rebuild() : (this.#approximate!.file?.checkpoint() ?? Promise.resolve()),
    );
  }

  /** Approximate mode: removes exactly one inserted pair (key, value); false when none could hold it. */
  remove(key: string, value: EncodedValue): Promise<boolean> {
    return this.run(() => {
      this.checkKey(key);
      const store = this.#approximateOnly('remove');
      return store.remove(key, store.parse(value, key));
    });
  }

  // ---- TTL as Mappy offered it (exact mode; times in ms) ----

  /** Gives an existing key a time to live of `ttl` ms; false when the key is absent. */
  expire(key: string, ttl: number): Promise<boolean> {
    return this.run(() => {
      this.checkKey(key);
      return this.#exactOnly('expire').setExpiry(key, this.#expiryIn(ttl));
    });
  }

  /** Remaining time to live in ms; undefined when absent, Infinity when it never expires. */
  ttl(key: string): Promise<number | undefined> {
    return this.run(async () => {
      this.checkKey(key);
      const expiresAt = await this.#exactOnly('ttl').expiryOf(key);
      if (expiresAt === undefined) return undefined;
      return expiresAt === null ? Number.POSITIVE_INFINITY : Math.max(0, expiresAt - Date.now());
    });
  }

  /** Removes the TTL of a key; false when the key is absent. */
  persist(key: string): Promise<boolean> {
    return this.run(() => {
      this.checkKey(key);
      return this.#exactOnly('persist').setExpiry(key, undefined);
    });
  }

  /** Gives each existing key of `keys` a time to live of `ttl` ms; returns how many got it. */
  expireMany(keys: readonly string[], ttl: number): Promise<number> {
    return this.run(async () => {
      if (!Array.isArray(keys))
        throw new StowageError('INVALID_ARGUMENT', 'expireMany takes an array of keys', { origin: ORIGIN });
      for (const key of keys) this.checkKey(key);
      const front = this.#exactOnly('expireMany');
      const expiresAt = this.#expiryIn(ttl);
      const done = await Promise.all(keys.map((key) => front.setExpiry(key, expiresAt)));
      return done.filter(Boolean).length;
    });
  }

  /** Every key with a TTL still to come, with its remaining ms. */
  keysWithTtl(): Promise<[string, number][]> {
    return this.run(async () => {
      const found: [string, number][] = [];
      const now = Date.now();
      for await (const [key, expiresAt] of this.#exactOnly('keysWithTtl').keysWithTtl())
        found.push([key, expiresAt - now]);
      return found;
    });
  }

  /** Deletes every entry whose TTL has passed by `now`; returns how many. */
  sweepExpiredKeys(now = Date.now()): Promise<number> {
    return this.run(() => this.#exactOnly('sweepExpiredKeys').sweep(now));
  }

  #expiryIn(ttl: number): number {
    if (!(Number.isFinite(ttl) && ttl >= 0)) {
      throw new StowageError(
        'INVALID_ARGUMENT',
        `a TTL must be a finite number of ms of at least 0, got ${String(ttl)}`,
        {
          origin: ORIGIN,
        },
      );
    }
    return Date.now() + Math.ceil(ttl);
  }

  #exactOnly(what: string): ExactFront {
    if (this.#exact) return this.#exact;
    throw new StowageError(
      'NOT_SUPPORTED',
      `${what} needs exact mode: an approximate maplet holds fingerprints, and expiring one by key could remove a colliding key's entry`,
      { origin: ORIGIN },
    );
  }

  #approximateOnly(what: string): ApproximateStore {
    if (this.#approximate) return this.#approximate;
    throw new StowageError('NOT_SUPPORTED', `${what} is for approximate mode; in exact mode use delete`, {
      origin: ORIGIN,
    });
  }

  #unsupported(what: string): StowageError {
    return new StowageError(
      'NOT_SUPPORTED',
      `an approximate maplet cannot ${what}: it holds fingerprints, not keys (use exact mode, or remove(key, value))`,
      { origin: ORIGIN },
    );
  }

  // ---- hooks ----

  protected async _open(): Promise<void> {
    if (this.#exact) await this.#exact.open();
    else await this.#approximate!.open();
  }

  protected async _close(): Promise<void> {
    if (this.#exact) await this.#exact.close();
    else await this.#approximate!.close();
  }

  protected _get(key: string): Promise<EncodedValue | undefined> | EncodedValue | undefined {
    return this.#exact ? this.#exact.get(key) : this.#approximate!.get(key);
  }

  protected override _has(key: string): Promise<boolean> | boolean {
    return this.#exact ? this.#exact.has(key) : this.#approximate!.maplet.has(key);
  }

  protected override _getMany(
    keys: readonly string[],
  ): Promise<(EncodedValue | undefined)[]> | (EncodedValue | undefined)[] {
    if (this.#exact) return this.#exact.getMany(keys);
    const store = this.#approximate!;
    return keys.map((key) => store.get(key));
  }

  protected async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    if (this.#exact) return this.#exact.set(key, value, options);
    const store = this.#approximate!;
    await store.insert(key, store.parse(value, key));
  }

  protected _delete(key: string): Promise<boolean> {
    if (this.#exact) return this.#exact.delete(key);
    return Promise.reject(this.#unsupported('delete a key without its value'));
  }

  protected override async _apply(operations: readonly BatchOperation[]): Promise<void> {
    if (this.#exact) return this.#exact.apply(operations);
    const store = this.#approximate!;
    if (operations.some((operation) => operation.type === 'delete'))
      throw this.#unsupported('delete a key without its value');
    const values = operations.map((operation) =>
      store.parse((operation as { value: EncodedValue }).value, operation.key),
    );
    for (let i = 0; i < operations.length; i++) await store.insert(operations[i]!.key, values[i]!);
  }

  protected _entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    if (this.#exact) return this.#exact.entries(range);
    const error = this.#unsupported('list its entries');
    return {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
    };
  }

  protected override _size(): Promise<number> {
    if (this.#exact) return this.#exact.inner.size!();
    // Stored entries: fingerprints (sum) or inserted pairs; a count of keys is not knowable.
    return Promise.resolve(this.#approximate!.maplet.size);
  }

  protected override async _clear(range: RangeOptions): Promise<void> {
    if (this.#exact) return this.#exact.clear(range);
    if (Object.values(range).some((value) => value !== undefined)) throw this.#unsupported('clear a range of keys');
    await this.#approximate!.clear();
  }

  protected override _flush(): Promise<void> {
    return this.#exact ? (this.#exact.inner.flush?.() ?? Promise.resolve()) : this.#approximate!.flush();
  }
}

function supportsOf(options: MapletBackendOptions, durability: DurabilityLevel): Partial<BackendSupports> {
  const inner = options.inner;
  if (inner !== undefined) {
    return {
      persistent: inner.supports.persistent,
      orderedIteration: inner.supports.orderedIteration,
      atomicBatch: inner.supports.atomicBatch,
      exactMembership: true,
      durability: inner.supports.durability,
      maxKeyBytes: inner.supports.maxKeyBytes,
      // The TTL envelope takes up to 18 bytes of the inner store's limit.
      maxValueBytes: inner.supports.maxValueBytes - 18,
    };
  }
  return {
    persistent: options.dir !== undefined,
    exactMembership: false,
    durability: options.dir === undefined ? [] : [durability],
    maxValueBytes: 16,
  };
}
