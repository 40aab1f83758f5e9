/**
 * Same-tick batching of PersistentMap's single-key sets. The first set of a tick goes to
 * the backend at once, so a sequential writer pays nothing extra; the sets that arrive
 * while that tick is still running are gathered and handed to the backend as ONE `apply`
 * at the end of the tick. 10,000 concurrent `map.set` calls then cost a few backend calls
 * instead of 10,000, which is most of what a write through the map cost over the engine.
 *
 * A set is a `SetJob`, told of its outcome by a method call rather than through promise
 * chains: at 10,000 concurrent sets the promises and closures of a chain per set cost more
 * (mostly in garbage collection) than the backend's apply itself.
 *
 * Batching never changes what a caller sees. Each set still waits in its key's queue (so
 * two sets of one key are never in one batch), and if the batch fails, every set in it is
 * retried on its own, so each caller gets exactly the outcome its own `set` would have had
 * (one oversized value fails alone, not its neighbours). After a failed NON-atomic apply
 * that may have written part of the batch, a set whose retry fails too is read back
 * (`reconcile`), so the cache follows what the backend holds.
 */
import type { BatchOperation, EncodedValue, StorageBackend } from '../contract/storage-backend.js';

/** One set handed to the batcher, and how it learns its outcome. */
export interface SetJob {
  readonly key: string;
  readonly stored: EncodedValue;
  /** Absolute expiry, or undefined for none. */
  readonly expiry: number | undefined;
  /** The backend wrote it. */
  succeeded(): void;
  /** It failed, with a StowageError. */
  failed(error: unknown): void;
}

export class SetBatcher {
  #pending: SetJob[] = [];
  /** True from the first set of a tick until that tick's batch is flushed. */
  #tickOpen = false;
  readonly #flush = (): void => this.#flushBatch();

  constructor(
    readonly backend: StorageBackend,
    /** Turns a backend failure into what the caller sees (a StowageError), counting it. */
    private readonly failed: (error: unknown) => never,
    /** Reads `key` back into the cache after a failure left it uncertain. */
    private readonly reconcile: (keys: readonly string[]) => Promise<void>,
  ) {}

  set(job: SetJob): void {
    // Without apply there is nothing to batch into: every set goes on its own.
    if (this.backend.apply !== undefined) {
      if (this.#tickOpen) {
        this.#pending.push(job);
        return;
      }
      this.#tickOpen = true;
      queueMicrotask(this.#flush);
    }
    this.#setOne(job, false);
  }

  #setOne(job: SetJob, partial: boolean): void {
    const options = job.expiry === undefined ? undefined : { expiresAt: job.expiry };
    let written: Promise<void>;
    try {
      written = this.backend.set(job.key, job.stored, options);
    } catch (error) {
      written = Promise.reject(error);
    }
    written.then(
      () => job.succeeded(),
      (error: unknown) => {
        const reported = this.#asReported(error);
        if (!partial) job.failed(reported);
        else
          this.reconcile([job.key]).then(
            () => job.failed(reported),
            // Stryker disable next-line ArrowFunction: reconcile catches every failure itself, so this never runs
            () => job.failed(reported),
          );
      },
    );
  }

  /** The StowageError a caller sees for a backend failure (counted once). */
  #asReported(error: unknown): unknown {
    try {
      return this.failed(error);
    } catch (reported) {
      return reported;
    }
  }

  #flushBatch(): void {
    this.#tickOpen = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    if (batch.length === 1) {
      this.#setOne(batch[0]!, false);
      return;
    }
    // Stryker disable next-line ArrayDeclaration: sized up front for speed; an empty array grows to the same
    const operations: BatchOperation[] = new Array(batch.length);
    for (let index = 0; index < batch.length; index++) {
      const job = batch[index]!;
      operations[index] =
        job.expiry === undefined
          ? { type: 'set', key: job.key, value: job.stored }
          : { type: 'set', key: job.key, value: job.stored, expiresAt: job.expiry };
    }
    let applied: Promise<void>;
    try {
      applied = this.backend.apply!(operations);
    } catch (error) {
      applied = Promise.reject(error);
    }
    applied.then(
      () => {
        for (const job of batch) job.succeeded();
      },
      () => {
        const partial = !this.backend.supports.atomicBatch;
        for (const job of batch) this.#setOne(job, partial);
      },
    );
  }
}
