/**
 * Small backends for core's own tests: a Map-backed one (optionally ordered, slow at
 * random, failing on demand, with native TTL), a transactional one, and a bare one that
 * implements only the required methods without AbstractBackend.
 */
import { AbstractBackend, defaultSupports } from './contract/abstract-backend.js';
import { AbstractTransaction } from './contract/abstract-transaction.js';
import { StowageError } from './contract/errors.js';
import { compareKeys, inRange } from './contract/keys.js';
import type {
  BackendSupports,
  BackendTransaction,
  BatchOperation,
  EncodedValue,
  ExpiringValue,
  LifecycleState,
  RangeOptions,
  StorageBackend,
  VersionInfo,
  WriteOptions,
} from './contract/storage-backend.js';

export type Operation = 'open' | 'get' | 'getMany' | 'set' | 'delete' | 'apply' | 'entries' | 'clear' | 'sweep';

export interface MapBackendOptions {
  /** Shared storage: pass the same Map to a new backend to "reopen" it. */
  readonly data?: Map<string, EncodedValue>;
  /** Shared expiries, like `data`: what an engine that keeps expiries (storesExpiry) persists. */
  readonly expiries?: Map<string, number>;
  readonly supports?: Partial<BackendSupports>;
  /** ms to wait before each operation touches the data (random delays shuffle completion order). */
  readonly delay?: () => number;
}

export class MapBackend extends AbstractBackend {
  readonly name = 'test-map';
  readonly data: Map<string, EncodedValue>;
  /** expiresAt hints received, for native TTL. */
  readonly expiries: Map<string, number>;
  readonly calls: Record<Operation, number> = {
    open: 0,
    get: 0,
    getMany: 0,
    set: 0,
    delete: 0,
    apply: 0,
    entries: 0,
    clear: 0,
    sweep: 0,
  };
  /** Makes an operation fail (before it changes anything) while it returns an error. */
  failWith: ((operation: Operation, key?: string) => Error | undefined) | undefined;
  /** Makes an operation wait for the returned promise before it touches the data. */
  hold: ((operation: Operation, key?: string) => Promise<void> | undefined) | undefined;
  /** The order in which set/delete reached the data: [key, value or undefined]. */
  readonly log: [string, EncodedValue | undefined][] = [];
  readonly #delay: (() => number) | undefined;

  constructor(options: MapBackendOptions = {}) {
    super('@stowage/core-test', options.supports ?? {});
    this.data = options.data ?? new Map();
    this.expiries = options.expiries ?? new Map();
    this.#delay = options.delay;
  }

  /** Waits as long as the delay option says. */
  protected async pause(): Promise<void> {
    const delay = this.#delay?.() ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }

  protected async step(operation: Operation, key?: string): Promise<void> {
    this.calls[operation]++;
    await this.pause();
    const held = this.hold?.(operation, key);
    if (held) await held;
    const error = this.failWith?.(operation, key);
    if (error) throw error;
  }

  protected async _open(): Promise<void> {
    await this.step('open');
  }
  /** How often the engine's own close ran. */
  closes = 0;
  protected async _close(): Promise<void> {
    this.closes++;
  }

  protected async _get(key: string): Promise<EncodedValue | undefined> {
    await this.step('get', key);
    return this.data.get(key);
  }

  protected override async _getMany(keys: readonly string[]): Promise<(EncodedValue | undefined)[]> {
    await this.step('getMany');
    return keys.map((key) => this.data.get(key));
  }

  protected async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    await this.step('set', key);
    this.write(key, value, options.expiresAt);
  }

  protected async _delete(key: string): Promise<boolean> {
    await this.step('delete', key);
    return this.write(key, undefined);
  }

  /** Atomic: every operation is checked against failWith before any is applied. */
  protected override async _apply(operations: readonly BatchOperation[]): Promise<void> {
    await this.step('apply');
    for (const operation of operations) {
      const error = this.failWith?.(operation.type, operation.key);
      if (error) throw error;
    }
    for (const operation of operations) {
      if (operation.type === 'set') this.write(operation.key, operation.value, operation.expiresAt);
      else this.write(operation.key, undefined);
    }
  }

  protected async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    await this.step('entries');
    let keys = [...this.data.keys()].filter((key) => inRange(key, range));
    if (this.supports.orderedIteration) {
      keys.sort(compareKeys);
      if (range.reverse) keys = keys.reverse();
    }
    for (const key of keys) {
      const value = this.data.get(key);
      if (value !== undefined) yield [key, value];
    }
  }

  /** Reached only with `supports.storesExpiry`: the expiries it was handed, beside the values. */
  protected override async _getWithExpiry(key: string): Promise<ExpiringValue | undefined> {
    await this.step('get', key);
    const value = this.data.get(key);
    return value === undefined ? undefined : { value, expiresAt: this.expiries.get(key) };
  }

  protected override async *_entriesWithExpiry(range: RangeOptions): AsyncIterable<[string, ExpiringValue]> {
    for await (const [key, value] of this._entries(range)) yield [key, { value, expiresAt: this.expiries.get(key) }];
  }

  protected override async _clear(range: RangeOptions): Promise<void> {
    await this.step('clear');
    let left = range.limit ?? Number.POSITIVE_INFINITY;
    for (const key of [...this.data.keys()]) {
      if (left > 0 && inRange(key, range)) {
        this.write(key, undefined);
        left--;
      }
    }
  }

  // The abilities every AbstractBackend has (installed on its prototype), typed here for the tests.
  declare readonly sweepExpired: (now: number) => Promise<number>;
  declare readonly transaction: <T>(body: (tx: BackendTransaction) => Promise<T>) => Promise<T>;
  declare readonly versions: (key: string) => Promise<VersionInfo[]>;
  declare readonly getVersion: (key: string, sequence: number) => Promise<EncodedValue | undefined>;
  declare readonly getWithExpiry: (key: string) => Promise<ExpiringValue | undefined>;
  declare readonly entriesWithExpiry: (range?: RangeOptions) => AsyncIterable<[string, ExpiringValue]>;

  /** Reached only with `supports.nativeTtl` (AbstractBackend answers NOT_SUPPORTED otherwise). */
  protected override async _sweepExpired(now: number): Promise<number> {
    await this.step('sweep');
    let removed = 0;
    for (const [key, expiresAt] of this.expiries) {
      if (expiresAt <= now && this.write(key, undefined)) removed++;
    }
    return removed;
  }

  /** Applies one write to the data; true when the key was present. */
  protected write(key: string, value: EncodedValue | undefined, expiresAt?: number): boolean {
    const present = this.data.has(key);
    this.log.push([key, value]);
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, value);
    if (value === undefined || expiresAt === undefined) this.expiries.delete(key);
    else this.expiries.set(key, expiresAt);
    return present;
  }
}

/** Optimistic transactions: snapshot reads, own writes, CONFLICT when a key it touched changed meanwhile. */
export class TransactionalBackend extends MapBackend {
  readonly #versions = new Map<string, number>();
  commits = 0;
  /** Awaited after the writes of a commit are applied, before `transaction` resolves. */
  afterCommit: (() => Promise<void>) | undefined;

  constructor(options: MapBackendOptions = {}) {
    super({ ...options, supports: { transactions: true, atomicBatch: true, ...options.supports } });
  }

  protected override write(key: string, value: EncodedValue | undefined, expiresAt?: number): boolean {
    this.#versions.set(key, (this.#versions.get(key) ?? 0) + 1);
    return super.write(key, value, expiresAt);
  }

  /** The test engine of AbstractTransaction: the base owns the checks, the guard and the body's error. */
  protected override async _transaction<T>(body: (tx: BackendTransaction) => Promise<T>): Promise<T> {
    const tx = new TestTransaction(this, new Map(this.data), new Map(this.#versions), new Map(this.expiries));
    const result = await tx.execute(body);
    this.commits++;
    // Like an fsync after the commit: other writes may land meanwhile.
    await this.pause();
    await this.afterCommit?.();
    return result;
  }

  /** Applies a transaction's writes if nothing it touched changed since its snapshot (synchronous: atomic). */
  commitTransaction(tx: TestTransaction): void {
    for (const key of tx.touched) {
      if (this.#versions.get(key) !== tx.startVersions.get(key)) {
        throw new StowageError('CONFLICT', `key "${key}" changed during the transaction`, { origin: this.origin });
      }
    }
    const error = this.failWith?.('apply');
    if (error) throw error;
    for (const [key, { value, expiresAt }] of tx.writes) this.write(key, value, expiresAt);
  }
}

/** Snapshot reads, own writes kept aside until the commit. */
export class TestTransaction extends AbstractTransaction {
  readonly touched = new Set<string>();
  readonly writes = new Map<string, { value: EncodedValue | undefined; expiresAt: number | undefined }>();
  /** Hook calls in order, so tests see what reached the engine. */
  readonly hookCalls: string[] = [];

  constructor(
    private readonly backend: TransactionalBackend,
    private readonly snapshot: Map<string, EncodedValue>,
    readonly startVersions: Map<string, number>,
    private readonly snapshotExpiries: Map<string, number>,
  ) {
    super('@stowage/core-test', backend.supports);
  }

  /** Reached by the map only with `supports.storesExpiry`. */
  protected override _getWithExpiry(key: string): ExpiringValue | undefined {
    const value = this._get(key);
    if (value === undefined) return undefined;
    const own = this.writes.get(key);
    return { value, expiresAt: own ? own.expiresAt : this.snapshotExpiries.get(key) };
  }

  protected _get(key: string): EncodedValue | undefined {
    this.hookCalls.push(`get ${key}`);
    this.touched.add(key);
    const own = this.writes.get(key);
    return own ? own.value : this.snapshot.get(key);
  }

  protected async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    this.hookCalls.push(`set ${key}`);
    this.touched.add(key);
    this.writes.set(key, { value, expiresAt: options.expiresAt });
  }

  protected async _delete(key: string): Promise<boolean> {
    this.hookCalls.push(`delete ${key}`);
    this.touched.add(key);
    const present = (this.writes.has(key) ? this.writes.get(key)?.value : this.snapshot.get(key)) !== undefined;
    this.writes.set(key, { value: undefined, expiresAt: undefined });
    return present;
  }

  protected _commit(): void {
    this.hookCalls.push('commit');
    this.backend.commitTransaction(this);
  }
}

/** Only the required methods, no AbstractBackend: the map must fall back for everything else. */
export class BareBackend implements StorageBackend {
  readonly name = 'bare';
  readonly supports: BackendSupports;
  state: LifecycleState = 'new';
  readonly data: Map<string, EncodedValue>;
  readonly calls = { get: 0, set: 0, delete: 0, entries: 0 };

  constructor(data = new Map<string, EncodedValue>(), supports: Partial<BackendSupports> = {}) {
    this.data = data;
    this.supports = { ...defaultSupports, maxKeyBytes: 1024, maxValueBytes: 1024 * 1024, ...supports };
  }

  async open(): Promise<void> {
    this.state = 'open';
  }
  async close(): Promise<void> {
    this.state = 'closed';
  }
  async get(key: string): Promise<EncodedValue | undefined> {
    this.calls.get++;
    return this.data.get(key);
  }
  async set(key: string, value: EncodedValue): Promise<void> {
    this.calls.set++;
    this.data.set(key, value);
  }
  async delete(key: string): Promise<boolean> {
    this.calls.delete++;
    return this.data.delete(key);
  }
  async *entries(range: RangeOptions = {}): AsyncIterable<[string, EncodedValue]> {
    this.calls.entries++;
    for (const [key, value] of [...this.data]) if (inRange(key, range)) yield [key, value];
  }
}

/** The code of the StowageError `promise` rejects with; undefined when it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return StowageError.is(error) ? error.code : `not a StowageError: ${String(error)}`;
  }
  return undefined;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** A promise and the function that resolves it. */
export function latch(): { promise: Promise<void>; release: () => void } {
  let release = (): void => {};
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

/** Lets every pending promise callback and timer of 0 ms run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Resolves after `ms` of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A deterministic pseudo-random source (mulberry32) so failures can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
