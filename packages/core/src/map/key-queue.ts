/**
 * Per-key ordering of writes: operations on one key run one after another in call order;
 * operations on different keys run concurrently. A multi-key operation (setMany, the
 * commit of a transaction) waits for every key it names and holds them all while it runs;
 * it takes its places in every queue in one synchronous step, so two of them can never
 * wait for each other.
 */

const settle = (): void => {};

export class KeyQueue {
  /** The last operation queued on each key, until it settles. */
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `operation` once every earlier operation on `key` has settled. */
  run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    const result = previous === undefined ? operation() : previous.then(operation, operation);
    this.#tails.set(key, result);
    // One handler per operation, no chained promise: it forgets the key once nothing follows.
    const forget = (): void => {
      if (this.#tails.get(key) === result) this.#tails.delete(key);
    };
    result.then(forget, forget);
    return result;
  }

  /** Runs `operation` once every earlier operation on each of `keys` has settled. */
  runMany<T>(keys: Iterable<string>, operation: () => Promise<T>): Promise<T> {
    const distinct = new Set(keys);
    const previous: Promise<unknown>[] = [];
    for (const key of distinct) {
      const tail = this.#tails.get(key);
      if (tail !== undefined) previous.push(tail);
    }
    const result = previous.length === 0 ? operation() : Promise.allSettled(previous).then(operation);
    for (const key of distinct) this.#tails.set(key, result);
    // One handler for the whole batch, not one per key.
    const forget = (): void => {
      for (const key of distinct) if (this.#tails.get(key) === result) this.#tails.delete(key);
    };
    result.then(forget, forget);
    return result;
  }

  /**
   * Makes `pending` the operation on `key`, which must be free (`busy` false): the caller
   * settles it and then calls `release`. A set that finds its key free takes this path, so
   * it costs no promise chain of its own (see set-batch.ts).
   */
  hold(key: string, pending: Promise<unknown>): void {
    this.#tails.set(key, pending);
  }

  /** Forgets `pending` as `key`'s last operation, unless another was queued after it. */
  release(key: string, pending: Promise<unknown>): void {
    if (this.#tails.get(key) === pending) this.#tails.delete(key);
  }

  /** True while an operation on `key` is queued or running. */
  busy(key: string): boolean {
    return this.#tails.has(key);
  }

  /** Settles once every operation queued so far has settled (later ones are not waited for). */
  drain(): Promise<void> {
    return Promise.allSettled(this.#tails.values()).then(settle);
  }
}
