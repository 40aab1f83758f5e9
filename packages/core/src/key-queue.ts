/**
 * Per-key ordering of writes: operations on one key run one after another in call order;
 * operations on different keys run concurrently. A multi-key operation (setMany, the
 * commit of a transaction) waits for every key it names and holds them all while it runs;
 * it takes its places in every queue in one synchronous step, so two of them can never
 * wait for each other.
 */

const settle = (): void => {};

export class KeyQueue {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `operation` once every earlier operation on `key` has settled. */
  run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    const result = previous === undefined ? operation() : previous.then(operation);
    this.#track(key, result.then(settle, settle));
    return result;
  }

  /** Runs `operation` once every earlier operation on each of `keys` has settled. */
  runMany<T>(keys: Iterable<string>, operation: () => Promise<T>): Promise<T> {
    const distinct = new Set(keys);
    const previous: Promise<void>[] = [];
    for (const key of distinct) {
      const tail = this.#tails.get(key);
      if (tail !== undefined) previous.push(tail);
    }
    const result = previous.length === 0 ? operation() : Promise.all(previous).then(operation);
    const tail = result.then(settle, settle);
    for (const key of distinct) this.#track(key, tail);
    return result;
  }

  /** True while an operation on `key` is queued or running. */
  busy(key: string): boolean {
    return this.#tails.has(key);
  }

  /** Settles once every operation queued so far has settled (later ones are not waited for). */
  drain(): Promise<void> {
    return Promise.all(this.#tails.values()).then(settle);
  }

  #track(key: string, tail: Promise<void>): void {
    this.#tails.set(key, tail);
    tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
  }
}
