/**
 * Per-key write ordering for the exact mode: an operation on some keys waits for the
 * operations before it on any of those keys, and nothing else. So the maplet's slot and
 * the inner store's entry of one key always change together, while writes to different
 * keys still reach the inner store together (and share its group commit).
 */
export class KeyLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** Keys some operation holds or waits for (a finished key is forgotten, so the map stays small). */
  get held(): number {
    return this.#tails.size;
  }

  async run<T>(keys: Iterable<string>, body: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const distinct = new Set(keys);
    // Stryker disable next-line ArrayDeclaration: a non-promise in Promise.all resolves at once: the body only starts a tick later
    const before: Promise<void>[] = [];
    // Registered synchronously for every key at once: two multi-key calls cannot deadlock.
    for (const key of distinct) {
      const tail = this.#tails.get(key);
      // Stryker disable next-line ConditionalExpression: an undefined in Promise.all resolves at once: the body only starts a tick later
      if (tail !== undefined) before.push(tail);
      this.#tails.set(key, mine);
    }
    try {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: awaiting no predecessor only starts the body a tick later (a fast path)
      if (before.length > 0) await Promise.all(before);
      return await body();
    } finally {
      release();
      for (const key of distinct) if (this.#tails.get(key) === mine) this.#tails.delete(key);
    }
  }
}
