/**
 * An iteration that outlives its store fails with STORE_CLOSED and leaves the engine's
 * iterator alone: the engine released its resources at close, so finalizing the iterator
 * then could touch a closed file or handle.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
import type { EncodedValue, RangeOptions } from './storage-backend.js';

/** Counts how often the engine's iterator was finalized. */
class FinalizeCounter extends MapBackend {
  finalized = 0;
  protected override async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    try {
      yield* super._entries(range);
    } finally {
      this.finalized++;
    }
  }
}

describe('an iteration that outlives its store', () => {
  it("fails with STORE_CLOSED and does not finalize the engine's iterator after close", async () => {
    const backend = new FinalizeCounter();
    await backend.open();
    await backend.set('a', '1');
    await backend.set('b', '2');
    const iterator = backend.entries()[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual(['a', '1']);
    await backend.close();
    expect(await codeOf(iterator.next())).toBe('STORE_CLOSED');
    expect(backend.finalized).toBe(0);
  });

  it("finalizes the engine's iterator when the caller stops while the store is open", async () => {
    const backend = new FinalizeCounter();
    await backend.open();
    await backend.set('a', '1');
    await backend.set('b', '2');
    for await (const _ of backend.entries()) break;
    expect(backend.finalized).toBe(1);
    await backend.close();
  });
});
