/**
 * Group commit, once for every engine: callers enqueue work; everything enqueued in the
 * same tick (or while a batch is being committed) goes out together as the next batch —
 * e.g. one append and one fsync for a hundred writes — and each caller's promise settles
 * when its batch did. Batches run one at a time, in order. Exclusive tasks (a flush, a
 * clear, a compaction) keep their place: they run alone, after everything enqueued before
 * them and before everything enqueued after them.
 *
 * The batch function decides the outcome: its results resolve the waiters in order; if it
 * throws (or rejects), every waiter of the batch rejects with that error; `batch.fail(i, e)`
 * rejects one item alone (a write refused by a check, or one whose part of the append
 * failed) while the rest resolve. A synchronous batch function (SQLite's transaction) is
 * run synchronously, so `runPending()` can commit what is queued before the caller's next
 * statement.
 */

/** What a batch function can do besides returning results. */
export interface BatchControl {
  /** Rejects item `index` of this batch with `error`; the others still resolve (or reject with a thrown error). */
  fail(index: number, error: unknown): void;
}

/** Returns a result per item, in order (or nothing, for `void` results). */
export type CommitBatch<T, R> = (
  items: readonly T[],
  batch: BatchControl,
  // biome-ignore lint/suspicious/noConfusingVoidType: a batch of `void` results returns nothing
) => readonly R[] | undefined | void | Promise<readonly R[] | undefined | void>;

export interface GroupCommitOptions<T, R> {
  /** Commits one batch (see CommitBatch). */
  readonly commit: CommitBatch<T, R>;
  /**
   * How long the first item of a batch waits for company: `microtask` (default: the rest of
   * the current synchronous run) or `immediate` (until the event loop's next turn, after
   * pending I/O callbacks: more company, a little more latency).
   */
  readonly gather?: 'microtask' | 'immediate';
  /** Runs after each batch that did not throw, before the next one (e.g. a compaction past a threshold). Its errors are ignored: it reports its own. */
  readonly afterBatch?: () => void | Promise<void>;
}

interface Settle {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Entry<T> =
  | ({ readonly kind: 'item'; readonly item: T } & Settle)
  | ({ readonly kind: 'task'; readonly run: () => unknown } & Settle);

type Outcome<R> =
  | { readonly ok: true; readonly results: readonly R[] | undefined }
  | { readonly ok: false; readonly error: unknown };

export class GroupCommitQueue<T, R = void> {
  readonly #commit: CommitBatch<T, R>;
  readonly #gather: 'microtask' | 'immediate';
  readonly #afterBatch: (() => void | Promise<void>) | undefined;
  #queue: Entry<T>[] = [];
  /** A drain is scheduled or under way. */
  #running = false;
  /** A drain is scheduled and has not started yet. */
  #scheduled = false;
  #idle: (() => void)[] = [];
  #batches = 0;

  constructor(options: GroupCommitOptions<T, R>) {
    this.#commit = options.commit;
    this.#gather = options.gather ?? 'microtask';
    this.#afterBatch = options.afterBatch;
  }

  /** Queues `item`; resolves with its result once its batch is committed, rejects if it failed. */
  enqueue(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ kind: 'item', item, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Runs `run` alone, after everything queued before it and before everything queued after it. */
  exclusive<X>(run: () => X | Promise<X>): Promise<X> {
    return new Promise<X>((resolve, reject) => {
      this.#queue.push({ kind: 'task', run, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /**
   * Starts the queued work now instead of at the end of the gathering wait. With a
   * synchronous batch function (and no exclusive task or batch still awaiting), everything
   * queued is committed when this returns.
   */
  runPending(): void {
    if (!this.#scheduled) return;
    this.#scheduled = false;
    this.#drain();
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** True while anything is queued or running. */
  get busy(): boolean {
    return this.#running;
  }

  /** Items and tasks waiting for their turn (not counting a batch being committed). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Batches committed so far (each call of the batch function counts). */
  get batches(): number {
    return this.#batches;
  }

  #schedule(): void {
    if (this.#running) return;
    this.#running = true;
    this.#scheduled = true;
    const start = () => this.runPending();
    if (this.#gather === 'immediate') setImmediate(start);
    else queueMicrotask(start);
  }

  /** Runs batches and tasks while they complete synchronously; continues after the first that does not. */
  #drain(): void {
    while (this.#queue.length > 0) {
      const waiting = this.#next();
      if (waiting !== undefined) {
        void waiting.then(() => this.#drain());
        return;
      }
    }
    this.#running = false;
    for (const wake of this.#idle.splice(0)) wake();
  }

  /** Runs the head of the queue: a task, or every item up to the next task. A promise when it has to wait. */
  #next(): Promise<void> | undefined {
    const head = this.#queue[0]!;
    if (head.kind === 'task') {
      this.#queue.shift();
      let result: unknown;
      try {
        result = head.run();
      } catch (error) {
        head.reject(error);
        return undefined;
      }
      if (!isThenable(result)) {
        head.resolve(result);
        return undefined;
      }
      return Promise.resolve(result).then(head.resolve, head.reject);
    }
    let end = 1;
    while (end < this.#queue.length && this.#queue[end]!.kind === 'item') end++;
    const batch = this.#queue.splice(0, end) as Extract<Entry<T>, { kind: 'item' }>[];
    // Made on the first `fail` only: most batches fail nothing, and a sequential writer pays per batch.
    let failed: Map<number, unknown> | undefined;
    const control: BatchControl = {
      fail: (index, error) => {
        if (index < 0 || index >= batch.length || failed?.has(index) === true) return;
        failed ??= new Map();
        failed.set(index, error);
      },
    };
    this.#batches++;
    let result: ReturnType<CommitBatch<T, R>>;
    try {
      result = this.#commit(
        batch.map((entry) => entry.item),
        control,
      );
    } catch (error) {
      return this.#finish(batch, failed, { ok: false, error });
    }
    if (!isThenable(result)) return this.#finish(batch, failed, { ok: true, results: result ?? undefined });
    return Promise.resolve(result).then(
      (results) => this.#finish(batch, failed, { ok: true, results: results ?? undefined }),
      (error: unknown) => this.#finish(batch, failed, { ok: false, error }),
    );
  }

  /** Settles every waiter of a batch, then runs `afterBatch` after a batch that did not throw. */
  #finish(
    batch: readonly Settle[],
    failed: ReadonlyMap<number, unknown> | undefined,
    outcome: Outcome<R>,
  ): Promise<void> | undefined {
    batch.forEach((entry, index) => {
      if (failed?.has(index) === true) entry.reject(failed.get(index));
      else if (!outcome.ok) entry.reject(outcome.error);
      else entry.resolve(outcome.results === undefined ? undefined : outcome.results[index]);
    });
    if (!outcome.ok || this.#afterBatch === undefined) return undefined;
    let after: unknown;
    try {
      after = this.#afterBatch();
    } catch {
      return undefined;
    }
    return isThenable(after) ? Promise.resolve(after).then(ignore, ignore) : undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function ignore(): void {
  // afterBatch reports its own failures; the batch before it is committed whatever happens.
}
