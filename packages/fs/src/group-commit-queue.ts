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
 *
 * A batch of one write, enqueued by a caller that awaited the write before it, is told it
 * may fsync in the calling thread (`BatchControl.inThread`): nothing could join it, so the
 * pool's two thread wake-ups buy nothing (see the field for the exact rule and its bound).
 */

/** What a batch function can do besides returning results. */
export interface BatchControl {
  /** Rejects item `index` of this batch with `error`; the others still resolve (or reject with a thrown error). */
  fail(index: number, error: unknown): void;
  /**
   * True when this batch should fsync in the calling thread (`handle.sync({ inThread: true })`).
   * Only ever for a batch that loses no grouping by it: one item, nothing else queued, and
   * the item enqueued by code continuing from an earlier batch's settlement before the event
   * loop turned — a caller awaiting its writes one after the other, who sends the next only
   * after this one. A write arriving from a new event (a request, a timer) gets `false`:
   * fsyncing on the pool lets the writes arriving meanwhile join the next batch. Among those
   * lone batches, true when in-thread commits have lately been the faster (the queue times
   * both), and `false` once in-thread fsyncs have kept the event loop from turning for
   * `inThreadBudgetMs`, so timers and I/O still get their turn.
   */
  readonly inThread: boolean;
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
  /**
   * How long in-thread fsyncs (see `BatchControl.inThread`) may follow one another before
   * a batch goes to the pool so the event loop turns; default 20 ms. 0 never advises an
   * in-thread fsync.
   */
  readonly inThreadBudgetMs?: number;
  /** The clock (ms) lone batches are timed with to choose the fsync's place; default `performance.now`. Tests pass their own. */
  readonly clock?: () => number;
}

const DEFAULT_IN_THREAD_BUDGET_MS = 20;
/** One lone batch in this many takes the mode not preferred, to keep measuring it. */
const EXPLORE_EVERY = 64;

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
  // Stryker disable next-line BooleanLiteral: a runPending before anything was queued drains an empty queue, which does nothing
  #scheduled = false;
  #idle: (() => void)[] = [];
  #batches = 0;
  readonly #inThreadBudgetMs: number;
  readonly #clock: () => number;
  /**
   * A batch settled and the event loop has not turned since: what is enqueued now comes
   * from code continuing after that settlement (`process.nextTick` runs only once the
   * microtasks are drained, so it clears this when the chain of continuations ends).
   */
  #continuing = false;
  /** When the first in-thread batch since the event loop last turned started. */
  #inThreadSince: number | undefined;
  /** Running averages (ms) of lone batches committed with an in-thread fsync and with one on the pool; 0: not measured yet. */
  #inThreadCost = 0;
  #poolCost = 0;
  /** Lone batches so far, for the every-64th exploration. */
  #lone = 0;
  readonly #turned = () => {
    this.#continuing = false;
    this.#inThreadSince = undefined;
  };

  constructor(options: GroupCommitOptions<T, R>) {
    this.#commit = options.commit;
    // Stryker disable next-line StringLiteral: anything but 'immediate' gathers for a microtask
    this.#gather = options.gather ?? 'microtask';
    this.#afterBatch = options.afterBatch;
    this.#inThreadBudgetMs = options.inThreadBudgetMs ?? DEFAULT_IN_THREAD_BUDGET_MS;
    this.#clock = options.clock ?? (() => performance.now());
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
      if (isThenable(result)) return Promise.resolve(result).then(head.resolve, head.reject);
      head.resolve(result);
      return undefined;
    }
    let end = 1;
    while (end < this.#queue.length && this.#queue[end]!.kind === 'item') end++;
    const batch = this.#queue.splice(0, end) as Extract<Entry<T>, { kind: 'item' }>[];
    // Made on the first `fail` only: most batches fail nothing, and a sequential writer pays per batch.
    let failed: Map<number, unknown> | undefined;
    // A lone write continuing a sequential writer's chain: the one kind of batch for which
    // the fsync's place is a choice (see BatchControl.inThread), timed to make the next one.
    const lone = batch.length === 1 && this.#queue.length === 0 && this.#continuing;
    const started = lone ? this.#clock() : 0;
    const inThread = lone && this.#chooseInThread(started);
    const control: BatchControl = {
      fail: (index, error) => {
        // The first failure given for an item is the one it rejects with (an index outside the batch names no waiter).
        if (failed?.has(index) === true) return;
        failed ??= new Map();
        failed.set(index, error);
      },
      inThread,
    };
    const finish = (outcome: Outcome<R>) => {
      if (lone) this.#record(inThread, this.#clock() - started);
      return this.#finish(batch, failed, outcome);
    };
    this.#batches++;
    let result: ReturnType<CommitBatch<T, R>>;
    try {
      result = this.#commit(
        batch.map((entry) => entry.item),
        control,
      );
    } catch (error) {
      return finish({ ok: false, error });
    }
    if (!isThenable(result)) return finish({ ok: true, results: result ?? undefined });
    return Promise.resolve(result).then(
      (results) => finish({ ok: true, results: results ?? undefined }),
      (error: unknown) => finish({ ok: false, error }),
    );
  }

  /**
   * In the calling thread or on the pool, for a lone write continuing a chain: whichever
   * has committed such a batch faster lately, the other one every 64th time so its figure
   * stays current; never in-thread past the budget of event-loop time. Which is faster is
   * measured, not assumed: the pool costs two thread wake-ups, but on some disks (a VM's
   * virtual disk under load, here) an fsync waited for in the calling thread takes longer.
   */
  #chooseInThread(now: number): boolean {
    this.#inThreadSince ??= now;
    if (now - this.#inThreadSince >= this.#inThreadBudgetMs) return false;
    const prefer = this.#inThreadCost <= this.#poolCost;
    // Stryker disable next-line UpdateOperator: counting down meets the same multiples of 64 (-64 % 64 is -0, which === 0)
    this.#lone++;
    return this.#lone % EXPLORE_EVERY === 0 ? !prefer : prefer;
  }

  /** Folds the duration of a lone batch into its mode's running average (0 until measured once). */
  #record(inThread: boolean, ms: number): void {
    if (inThread) this.#inThreadCost = this.#inThreadCost === 0 ? ms : this.#inThreadCost * 0.875 + ms * 0.125;
    else this.#poolCost = this.#poolCost === 0 ? ms : this.#poolCost * 0.875 + ms * 0.125;
  }

  /** Settles every waiter of a batch, then runs `afterBatch` after a batch that did not throw. */
  #finish(
    batch: readonly Settle[],
    failed: ReadonlyMap<number, unknown> | undefined,
    outcome: Outcome<R>,
  ): Promise<void> | undefined {
    // Stryker disable next-line ConditionalExpression: a second nextTick in the same tick clears the same flags again
    if (!this.#continuing) {
      this.#continuing = true;
      process.nextTick(this.#turned);
    }
    batch.forEach((entry, index) => {
      if (failed?.has(index) === true) entry.reject(failed.get(index));
      else if (!outcome.ok) entry.reject(outcome.error);
      else entry.resolve(outcome.results === undefined ? undefined : outcome.results[index]);
    });
    // Stryker disable next-line ConditionalExpression: calling an absent afterBatch throws a TypeError, caught below, with the same result
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
    // Stryker disable next-line ConditionalExpression,StringLiteral: a promise settled with a thenable function adopts it all the same
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function ignore(): void {
  // afterBatch reports its own failures; the batch before it is committed whatever happens.
}
