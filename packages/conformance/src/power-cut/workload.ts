/**
 * The random operations of the power-cut section: groups of one to three concurrent
 * writes (set, delete, or an `apply` batch) on distinct keys, so writes to one key stay
 * ordered, recorded in a WriteHistory as they start, are acknowledged, or fail.
 */
import type { StorageBackend } from '@stowage/core';
import type { Random, SimulatedDisk } from '@stowage/fs/testing';
import type { WriteHistory, WriteRecord } from './history.js';
import { makeValue, type Value } from './values.js';

/** Keys the section writes: a few, so writes overwrite each other; unicode and a long one among them. */
export const POWER_CUT_KEYS: readonly string[] = [
  'a',
  'b',
  'c',
  'user/1',
  'user/2',
  'ünïcødé',
  '😀 emoji',
  `long-${'x'.repeat(120)}`,
];

export class Workload {
  readonly #backend: StorageBackend;
  readonly #disk: SimulatedDisk;
  readonly #history: WriteHistory;
  readonly random: Random;
  readonly #seed: number;
  #serial = 0;
  /** Writes that failed while the power was still on: the engine failed without a fault. */
  readonly unexpectedErrors: unknown[] = [];

  constructor(backend: StorageBackend, disk: SimulatedDisk, history: WriteHistory, random: Random, seed: number) {
    this.#backend = backend;
    this.#disk = disk;
    this.#history = history;
    this.random = random;
    this.#seed = seed;
  }

  /** Starts one group of concurrent writes; the promise settles when all of them have. */
  startGroup(): Promise<void> {
    const random = this.random;
    const pool = [...POWER_CUT_KEYS];
    const takeKey = () => pool.splice(random.int(pool.length), 1)[0]!;
    const writes: Promise<void>[] = [];
    const count = random.between(1, 3);
    const apply = this.#backend.apply?.bind(this.#backend);
    for (let i = 0; i < count && pool.length > 0; i++) {
      const kind = random.next();
      if (kind < 0.2 && apply !== undefined) {
        const size = Math.min(pool.length, random.between(1, 3));
        const operations = Array.from({ length: size }, () => {
          const key = takeKey();
          return { key, value: random.chance(0.8) ? this.#value() : undefined };
        });
        const records = this.#history.begin(operations, true);
        writes.push(
          this.#track(
            records,
            apply(
              operations.map(({ key, value }) =>
                value === undefined ? { type: 'delete' as const, key } : { type: 'set' as const, key, value },
              ),
            ),
          ),
        );
      } else if (kind < 0.4) {
        const key = takeKey();
        writes.push(this.#track(this.#history.begin([{ key, value: undefined }], false), this.#backend.delete(key)));
      } else {
        const key = takeKey();
        const value = this.#value();
        writes.push(this.#track(this.#history.begin([{ key, value }], false), this.#backend.set(key, value)));
      }
    }
    return Promise.all(writes).then(() => undefined);
  }

  /** Flushes; what was acknowledged before it is then durable whatever the setting. */
  async flush(): Promise<void> {
    if (this.#backend.flush === undefined) return;
    const acknowledged = this.#history.acknowledged();
    try {
      await this.#backend.flush();
    } catch (error) {
      if (!this.#powerWasCut()) this.unexpectedErrors.push(error);
      return;
    }
    if (!this.#powerWasCut()) this.#history.markFlushed(acknowledged);
  }

  #value(): Value {
    return makeValue(this.random, this.#seed, ++this.#serial);
  }

  #powerWasCut(): boolean {
    return this.#disk.cuts.length > 0;
  }

  /** Acknowledged only if it resolved while the power was on; a write resolving after the cut stays uncertain. */
  #track(records: WriteRecord[], write: Promise<unknown>): Promise<void> {
    return write.then(
      () => {
        if (!this.#powerWasCut()) for (const record of records) record.state = 'acknowledged';
      },
      (error: unknown) => {
        for (const record of records) record.state = 'failed';
        if (!this.#powerWasCut()) this.unexpectedErrors.push(error);
      },
    );
  }
}
