/**
 * One queue for everything that writes files, so the journal sees one writer at a time.
 * Writes that arrive while a commit is under way (or in the same tick) wait together and
 * go out as the next group: one append, one fsync, however many writes. Exclusive tasks
 * (flush, clear) keep their place in the queue: they run after every write submitted
 * before them and before every write submitted after them.
 */

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

interface PendingWrite<W> extends Waiter<unknown> {
  readonly write: W;
  readonly run?: undefined;
}

interface PendingTask extends Waiter<unknown> {
  readonly run: () => Promise<unknown>;
}

type Pending<W> = PendingWrite<W> | PendingTask;

export class GroupCommit<W> {
  #queue: Pending<W>[] = [];
  #running = false;
  #idleWaiters: (() => void)[] = [];

  /**
   * @param commit writes a group durably and returns each write's result, in order; if it
   *   throws, every write of the group fails with that error.
   * @param afterGroup runs after each successful group (e.g. compaction past a threshold).
   */
  constructor(
    private readonly commit: (writes: readonly W[]) => Promise<unknown[]>,
    private readonly afterGroup: () => Promise<void>,
  ) {}

  /** True while anything is queued or running. */
  get busy(): boolean {
    return this.#running;
  }

  /** Queues `write`; resolves with its result once its group is committed. */
  submit<R>(write: W): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      this.#start();
    });
  }

  /** Runs `run` alone, after every write and task queued before it. */
  exclusive<R>(run: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.#start();
    });
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #start(): void {
    if (this.#running) return;
    this.#running = true;
    // One microtask of delay lets writes issued in the same synchronous run join the group.
    queueMicrotask(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const first = this.#queue[0]!;
        if (first.run !== undefined) {
          this.#queue.shift();
          try {
            first.resolve(await first.run());
          } catch (error) {
            first.reject(error);
          }
          continue;
        }
        // Every write up to the next task is one group.
        let end = 1;
        while (end < this.#queue.length && this.#queue[end]!.run === undefined) end++;
        await this.#commitGroup(this.#queue.splice(0, end) as PendingWrite<W>[]);
      }
    } finally {
      this.#running = false;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #commitGroup(group: PendingWrite<W>[]): Promise<void> {
    let results: unknown[];
    try {
      results = await this.commit(group.map((pending) => pending.write));
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    for (const [index, pending] of group.entries()) pending.resolve(results[index]);
    try {
      await this.afterGroup();
    } catch {
      // afterGroup reports its own failures; the writes above are committed whatever happens.
    }
  }
}
