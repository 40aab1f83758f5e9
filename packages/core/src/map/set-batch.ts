/**
 * Same-tick batching of PersistentMap's single-key sets. The first set of a tick goes to
 * the backend at once, so a sequential writer pays nothing extra; the sets that arrive
 * while that tick is still running are gathered and handed to the backend as ONE `apply`
 * at the end of the tick. 10,000 concurrent `map.set` calls then cost a few backend calls
 * instead of 10,000, which is most of what a write through the map cost over the engine.
 *
 * Batching never changes what a caller sees. Each set still waits in its key's queue (so
 * two sets of one key are never in one batch), and if the batch fails, every set in it is
 * retried on its own, so each caller gets exactly the outcome its own `set` would have had
 * (one oversized value fails alone, not its neighbours). After a failed NON-atomic apply
 * that may have written part of the batch, a set whose retry fails too is read back
 * (`reconcile`), so the cache follows what the backend holds.
 */
import type { BatchOperation, EncodedValue, StorageBackend } from '../contract/storage-backend.js';

interface PendingSet {
  readonly operation: BatchOperation & { readonly type: 'set' };
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class SetBatcher {
  #pending: PendingSet[] = [];
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

  set(key: string, value: EncodedValue, expiresAt: number | undefined): Promise<void> {
    if (!this.#tickOpen || this.backend.apply === undefined) {
      this.#openTick();
      return this.#setOne(key, value, expiresAt);
    }
    return new Promise<void>((resolve, reject) => {
      const operation: BatchOperation & { type: 'set' } =
        expiresAt === undefined ? { type: 'set', key, value } : { type: 'set', key, value, expiresAt };
      this.#pending.push({ operation, resolve, reject });
    });
  }

  #openTick(): void {
    if (this.#tickOpen) return;
    this.#tickOpen = true;
    queueMicrotask(this.#flush);
  }

  #setOne(key: string, value: EncodedValue, expiresAt: number | undefined): Promise<void> {
    const options = expiresAt === undefined ? undefined : { expiresAt };
    return this.backend.set(key, value, options).then(undefined, this.failed);
  }

  #flushBatch(): void {
    this.#tickOpen = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    if (batch.length === 1) {
      this.#settleAlone(batch[0]!, false);
      return;
    }
    this.backend.apply!(batch.map((pending) => pending.operation)).then(
      () => {
        for (const pending of batch) pending.resolve();
      },
      () => {
        const partial = !this.backend.supports.atomicBatch;
        for (const pending of batch) this.#settleAlone(pending, partial);
      },
    );
  }

  #settleAlone(pending: PendingSet, partial: boolean): void {
    const { key, value, expiresAt } = pending.operation;
    this.#setOne(key, value, expiresAt).then(pending.resolve, (error: unknown) => {
      if (!partial) pending.reject(error);
      else this.reconcile([key]).then(() => pending.reject(error), pending.reject);
    });
  }
}
