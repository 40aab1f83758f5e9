/**
 * Measures what replacing the hand-written per-key queue (src/key-queue.ts) with
 * async-mutex would cost on a write workload through PersistentMap, over a synchronous
 * in-memory backend (the worst case for the ratio: the queue's own cost is not hidden
 * behind disk I/O). Rounds alternate between the two queues so drift hits both alike.
 *
 *   pnpm exec tsx packages/core/scripts/key-queue-bench.ts [rounds]
 */
import { Mutex } from 'async-mutex';
import { AbstractBackend } from '../src/contract/abstract-backend.js';
import type { EncodedValue, RangeOptions } from '../src/contract/storage-backend.js';
import { KeyQueue } from '../src/map/key-queue.js';
import { PersistentMap } from '../src/map/persistent-map.js';

class SyncMapBackend extends AbstractBackend {
  readonly name = 'bench-map';
  readonly #data = new Map<string, EncodedValue>();
  constructor() {
    super('@stowage/core-bench');
  }
  protected async _open(): Promise<void> {}
  protected async _close(): Promise<void> {}
  protected _get(key: string): EncodedValue | undefined {
    return this.#data.get(key);
  }
  protected async _set(key: string, value: EncodedValue): Promise<void> {
    this.#data.set(key, value);
  }
  protected async _delete(key: string): Promise<boolean> {
    return this.#data.delete(key);
  }
  protected async *_entries(_range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    yield* this.#data;
  }
}

/** The same contract as KeyQueue, built on one async-mutex Mutex per busy key. */
class MutexKeyQueue {
  readonly #locks = new Map<string, Mutex>();

  #lock(key: string): Mutex {
    let lock = this.#locks.get(key);
    if (lock === undefined) {
      lock = new Mutex();
      this.#locks.set(key, lock);
    }
    return lock;
  }

  #forget(key: string, lock: Mutex): void {
    if (!lock.isLocked() && this.#locks.get(key) === lock) this.#locks.delete(key);
  }

  run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const lock = this.#lock(key);
    return lock.runExclusive(operation).finally(() => this.#forget(key, lock));
  }

  runMany<T>(keys: Iterable<string>, operation: () => Promise<T>): Promise<T> {
    const locks = [...new Set(keys)].map((key) => [key, this.#lock(key)] as const);
    // acquire() joins each mutex's queue synchronously, so the places are taken in one step.
    const acquired = Promise.all(locks.map(([, lock]) => lock.acquire()));
    return acquired.then(async (releases) => {
      try {
        return await operation();
      } finally {
        for (const release of releases) release();
        for (const [key, lock] of locks) this.#forget(key, lock);
      }
    });
  }

  busy(key: string): boolean {
    return this.#locks.get(key)?.isLocked() ?? false;
  }

  async drain(): Promise<void> {
    await Promise.all([...this.#locks.values()].map((lock) => lock.waitForUnlock()));
  }
}

const handWritten = Object.getOwnPropertyDescriptors(KeyQueue.prototype);
const mutexBased = Object.getOwnPropertyDescriptors(MutexKeyQueue.prototype);
const states = new WeakMap<object, MutexKeyQueue>();

/** Makes every KeyQueue created from now on behave as `kind`. */
function use(kind: 'hand-written' | 'async-mutex'): void {
  for (const name of ['run', 'runMany', 'busy', 'drain'] as const) {
    if (kind === 'hand-written') {
      Object.defineProperty(KeyQueue.prototype, name, handWritten[name]!);
    } else {
      Object.defineProperty(KeyQueue.prototype, name, {
        ...mutexBased[name],
        value(this: object, ...args: unknown[]) {
          let state = states.get(this);
          if (state === undefined) {
            state = new MutexKeyQueue();
            states.set(this, state);
          }
          return (state[name] as (...a: unknown[]) => unknown)(...args);
        },
      });
    }
  }
}

const N = 100_000;

async function workload(name: string, map: PersistentMap<string, number>): Promise<void> {
  if (name === 'sequential set') {
    for (let i = 0; i < N; i++) await map.set(`k${i % 10_000}`, i);
  } else if (name === 'concurrent set') {
    // 1,000 writes in flight at a time over 100 hot keys: queues are long.
    for (let i = 0; i < N; i += 1_000) {
      await Promise.all(Array.from({ length: 1_000 }, (_, j) => map.set(`k${(i + j) % 100}`, i + j)));
    }
  } else {
    for (let i = 0; i < N; i += 1_000) {
      await Promise.all(Array.from({ length: 1_000 }, (_, j) => map.update(`k${j % 100}`, (n = 0) => n + 1)));
    }
    // Both queues must keep the guarantee being priced: no increment lost.
    if ((await map.get('k0')) !== N / 100) throw new Error('an increment was lost');
  }
}

async function measure(kind: 'hand-written' | 'async-mutex', name: string): Promise<number> {
  use(kind);
  const map = await PersistentMap.open<string, number>(new SyncMapBackend(), { sweepInterval: 0 });
  const start = process.hrtime.bigint();
  await workload(name, map);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await map.close();
  return N / seconds;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const rounds = Number(process.argv[2] ?? 7);
for (const name of ['sequential set', 'concurrent set', 'concurrent update']) {
  await measure('hand-written', name); // warm-up, both ways
  await measure('async-mutex', name);
  const results = { 'hand-written': [] as number[], 'async-mutex': [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const order =
      round % 2 === 0 ? (['hand-written', 'async-mutex'] as const) : (['async-mutex', 'hand-written'] as const);
    for (const kind of order) results[kind].push(await measure(kind, name));
  }
  const hand = median(results['hand-written']);
  const mutex = median(results['async-mutex']);
  console.log(
    `${name.padEnd(18)} hand-written ${Math.round(hand).toLocaleString('en')}/s  async-mutex ${Math.round(mutex).toLocaleString('en')}/s  async-mutex costs ${(((hand - mutex) / hand) * 100).toFixed(1)}%`,
  );
}
