import { compareKeys, inRange, type RangeOptions, StowageError } from '@stowage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from './memory-backend.js';

async function opened(options = {}): Promise<MemoryBackend> {
  const backend = new MemoryBackend(options);
  await backend.open();
  return backend;
}

async function keysOf(backend: MemoryBackend, range: RangeOptions = {}): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of backend.keys(range)) keys.push(key);
  return keys;
}

describe('MemoryBackend', () => {
  it('declares the reference manifest', () => {
    expect(new MemoryBackend().supports).toMatchObject({
      persistent: false,
      orderedIteration: true,
      atomicBatch: true,
      transactions: true,
      nativeTtl: true,
      // Nothing outlives the process: no durability level is claimed.
      durability: [],
    });
  });

  it('refuses an unknown option name, naming the closest valid one', () => {
    expect(() => new MemoryBackend({ maxKeyByte: 4 } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('"maxKeyBytes"') }),
    );
    expect(() => new MemoryBackend({ maxValueBytes: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('honours a configured maxKeyBytes', async () => {
    const backend = await opened({ maxKeyBytes: 4 });
    await backend.set('abcd', 'fits');
    await expect(backend.set('abcde', 'too long')).rejects.toSatisfy((error) => StowageError.is(error, 'INVALID_KEY'));
    expect(await keysOf(backend)).toEqual(['abcd']);
  });

  it('keeps ranges exact through deletes, re-inserts and out-of-order writes (against a model)', async () => {
    const key = fc.constantFrom('', 'a', 'ab', 'abc', 'b', 'ba', '\uffff', '😀', 'z', 'a\u0000');
    const step = fc.oneof(
      fc.record({ set: key }),
      fc.record({ remove: key }),
      fc.record({
        range: fc.record(
          { gte: key, lt: key, prefix: key, reverse: fc.boolean(), limit: fc.nat({ max: 5 }) },
          { requiredKeys: [] },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const backend = await opened();
        const model = new Set<string>();
        for (const item of steps) {
          if ('set' in item) {
            await backend.set(item.set, 'v');
            model.add(item.set);
          } else if ('remove' in item) {
            expect(await backend.delete(item.remove)).toBe(model.delete(item.remove));
          } else {
            const range = item.range as RangeOptions;
            let want = [...model].filter((k) => inRange(k, range)).sort(compareKeys);
            if (range.reverse) want.reverse();
            if (range.limit !== undefined) want = want.slice(0, range.limit);
            expect(await keysOf(backend, range)).toEqual(want);
          }
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('sweeps expired entries and refuses a now that is not a finite number (core rule)', async () => {
    const backend = await opened();
    await backend.set('old', 'v', { expiresAt: 1_000 });
    await backend.set('new', 'v', { expiresAt: 5_000 });
    await backend.set('forever', 'v');
    for (const now of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '1' as unknown as number]) {
      await expect(backend.sweepExpired(now)).rejects.toSatisfy((error) => StowageError.is(error, 'INVALID_ARGUMENT'));
    }
    expect(await backend.size()).toBe(3); // nothing swept by a refused call
    expect(await backend.sweepExpired(1_000)).toBe(1);
    expect(await keysOf(backend)).toEqual(['forever', 'new']);
  });

  it('lets a transaction commit after earlier transactions and writes have finished', async () => {
    const backend = await opened();
    await backend.transaction(async (tx) => tx.set('k', '1'));
    await backend.set('k', '2');
    await backend.transaction(async (tx) => {
      expect(await tx.get('k')).toBe('2');
      await tx.set('k', '3');
    });
    expect(await backend.get('k')).toBe('3');
  });

  it('commits overlapping transactions on different keys and refuses the second writer of one key', async () => {
    const backend = await opened();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = backend.transaction(async (tx) => {
      await tx.set('a', 'first');
      await tx.set('shared', 'first');
      await gate;
    });
    const second = backend.transaction(async (tx) => {
      await tx.set('b', 'second');
    });
    const third = backend.transaction(async (tx) => {
      await tx.set('shared', 'third');
    });
    await Promise.all([second, third]);
    release();
    await expect(first).rejects.toSatisfy((error) => StowageError.is(error, 'CONFLICT'));
    expect(await backend.getMany(['a', 'b', 'shared'])).toEqual([undefined, 'second', 'third']);
  });

  it('refuses an expiry that is not a finite number inside a transaction, writing nothing (core rule)', async () => {
    const backend = await opened();
    for (const expiresAt of [Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(backend.transaction(async (tx) => tx.set('k', 'v', { expiresAt }))).rejects.toSatisfy((error) =>
        StowageError.is(error, 'INVALID_ARGUMENT'),
      );
    }
    expect(await backend.has('k')).toBe(false);
  });

  it('refuses a transaction object used after its transaction ended, with core\'s one "over" error', async () => {
    const backend = await opened();
    let leaked: { get(key: string): Promise<unknown>; set(key: string, value: string): Promise<void> } | undefined;
    await backend.transaction(async (tx) => {
      leaked = tx;
    });
    for (const call of [() => leaked!.get('k'), () => leaked!.set('k', 'late')]) {
      await expect(call()).rejects.toSatisfy(
        (error) => StowageError.is(error, 'INVALID_ARGUMENT') && /transaction is over/.test((error as Error).message),
      );
    }
    expect(await backend.has('k')).toBe(false);
  });
});
