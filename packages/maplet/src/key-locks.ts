/**
 * Per-key write ordering for the exact mode: an operation on some keys waits for the
 * operations before it on any of those keys, and nothing else. So the maplet's slot and
 * the inner store's entry of one key always change together, while writes to different
 * keys still reach the inner store together (and share its group commit).
 */
export class KeyLocks {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(keys: Iterable<string>, body: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const distinct = new Set(keys);
    const before: Promise<void>[] = [];
    // Registered synchronously for every key at once: two multi-key calls cannot deadlock.
    for (const key of distinct) {
      const tail = this.#tails.get(key);
      if (tail !== undefined) before.push(tail);
      this.#tails.set(key, mine);
    }
    try {
      if (before.length > 0) await Promise.all(before);
      return await body();
    } finally {
      release();
      for (const key of distinct) if (this.#tails.get(key) === mine) this.#tails.delete(key);
    }
  }
}
