/**
 * The active TTL sweep: expired entries are already invisible, this deletes them from the
 * backend so they stop taking space. Three ways, best first:
 * - the backend has native TTL: one `sweepExpired(now)` call;
 * - full cache: the map knows every expiry, so it deletes exactly the due keys;
 * - LRU cache: it scans the backend for envelopes past their time, at most `chunk` entries
 *   per sweep on an ordered backend (resuming where the last sweep stopped), the whole
 *   store otherwise.
 * Every deletion goes through the key's write queue and re-checks the expiry first, so an
 * entry renewed by a concurrent write is never lost.
 */
import { expiryOf } from './envelope.js';
import type { MapStore } from './map-store.js';

export class TtlSweeper<V> {
  #running: Promise<number> | undefined;
  #cursor: string | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly store: MapStore<V>,
    private readonly chunk = 10_000,
  ) {}

  /** Sweeps every `interval` ms without keeping the process alive; 0 turns it off. */
  start(interval: number): void {
    if (interval <= 0) return;
    // close() stops this timer in the same turn as the map leaves 'open': it only fires on an open map.
    this.#timer = setInterval(() => {
      this.sweep().catch(() => undefined); // counted in stats.errors
    }, interval);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Deletes expired entries now; resolves to how many. A sweep in progress is shared. */
  sweep(): Promise<number> {
    if (this.#running) return this.#running;
    const running = this.store.track(this.#sweep(Date.now()));
    this.#running = running;
    const done = () => {
      this.#running = undefined;
    };
    running.then(done, done);
    return running;
  }

  async #sweep(now: number): Promise<number> {
    const { store } = this;
    const { backend } = store;
    let removed: number;
    if (backend.supports.nativeTtl && backend.sweepExpired) {
      store.counters.backendWrites++;
      removed = await store.backendCall(() => backend.sweepExpired!(now));
      store.counters.expired += removed;
      // Drop what the backend just deleted from the full cache (an LRU cache evicts them in time).
      for (const [key, expiresAt] of store.expiring) {
        if (expiresAt > now) continue;
        store.expiring.delete(key);
        store.cache.delete(key);
      }
    } else if (store.cache.complete) {
      // Stryker disable next-line ArrayDeclaration: a junk first item names no expiring key, so nothing is deleted for it
      const due: [string, number][] = [];
      for (const [key, expiresAt] of store.expiring) if (expiresAt <= now) due.push([key, expiresAt]);
      removed = await this.#deleteIfStill(
        due.map(([key, expiresAt]) => [key, () => store.expiring.get(key) === expiresAt]),
      );
    } else {
      removed = await this.#deleteIfStill(
        (await this.#scan(now)).map((key) => [key, () => this.#expiredInBackend(key, now)]),
      );
    }
    return removed;
  }

  /** Keys whose stored envelope expired by `now`, from one chunk of the backend. */
  async #scan(now: number): Promise<string[]> {
    const { store } = this;
    const ordered = store.backend.supports.orderedIteration;
    const range = ordered ? { ...(this.#cursor === undefined ? {} : { gt: this.#cursor }), limit: this.chunk } : {};
    const due: string[] = [];
    let seen = 0;
    let last: string | undefined;
    await store.backendCall(async () => {
      for await (const [key, stored, kept] of store.scan(range)) {
        seen++;
        last = key;
        const expiresAt = expiryOf(stored, kept);
        if (expiresAt !== undefined && expiresAt <= now) due.push(key);
      }
    });
    this.#cursor = ordered && seen === this.chunk ? last : undefined;
    return due;
  }

  async #expiredInBackend(key: string, now: number): Promise<boolean> {
    const found = await this.store.read(key);
    if (found === undefined) return false;
    const expiresAt = this.store.expiryOfRead(found);
    return expiresAt !== undefined && expiresAt <= now;
  }

  async #deleteIfStill(candidates: [string, () => boolean | Promise<boolean>][]): Promise<number> {
    const { store } = this;
    const results = await Promise.all(
      candidates.map(([key, stillExpired]) =>
        store.write(key, async () => {
          // close() waits for a sweep to end before the map is closed, so the map is open here.
          if (!(await stillExpired())) return false;
          await store.deleteNow(key);
          store.counters.expired++; // counted at once: whoever sees the key gone sees it counted
          return true;
        }),
      ),
    );
    return results.filter(Boolean).length;
  }
}
