/**
 * Ordered iteration over the keys of a Map without keeping them sorted on every write:
 * the sorted array is rebuilt lazily, only when an iteration needs it after keys came or
 * went, so a write costs O(1) and a range finds its slice by binary search (core's keysWithin).
 */
import { compareKeys, keysWithin, type RangeOptions } from '@stowage/core';

export class SortedKeys {
  #sorted: string[] | undefined;

  constructor(private readonly source: Map<string, unknown>) {}

  /** Call when a key is added or removed. */
  invalidate(): void {
    this.#sorted = undefined;
  }

  /**
   * The keys within `range` in order (descending for `reverse`), as of now. Keys removed
   * later are still yielded, so a caller checks the map as it goes.
   */
  *within(range: RangeOptions): Generator<string> {
    this.#sorted ??= [...this.source.keys()].sort(compareKeys);
    yield* keysWithin(this.#sorted, range);
  }
}
