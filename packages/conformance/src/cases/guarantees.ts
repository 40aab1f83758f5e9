/**
 * Guarantees every engine and the map owe whatever the engine: invalid ranges refused,
 * keys at their byte limit in 2-, 3- and 4-byte UTF-8, clear racing reads and batches, and
 * the map's behaviour over a backend that fails (a batch failing halfway on a non-atomic
 * backend, reads failing). The failing backends are wrappers around the engine's own.
 */
import type {
  BackendSupports,
  BatchOperation,
  EncodedValue,
  RangeOptions,
  StorageBackend,
  WriteOptions,
} from '@stowage/core';
import { StowageError } from '@stowage/core';
import { expect } from 'vitest';
import { expectCode, expectSameContents, expectValue } from '../assertions.js';
import { decodeStored } from '../open-map.js';
import type { KitCase, Value } from '../types.js';
import { mapModes } from '../types.js';

const invalidRanges: readonly [string, unknown][] = [
  ['gt together with gte', { gt: 'a', gte: 'a' }],
  ['lt together with lte', { lt: 'z', lte: 'z' }],
  ['a bound that is not a string', { gte: 5 }],
  ['a prefix that is not a string', { prefix: null }],
  ['a negative limit', { limit: -1 }],
  ['a fractional limit', { limit: 1.5 }],
  ["reverse: 'yes'", { reverse: 'yes' }],
];

/** A key of exactly `bytes` UTF-8 bytes of `character`, padded with ASCII. */
function keyOfBytes(bytes: number, character: string): string {
  const width = Buffer.byteLength(character);
  return character.repeat(Math.floor(bytes / width)) + 'k'.repeat(bytes % width);
}

/**
 * The engine's backend with faults switched on by the case: `apply` writes only the first
 * half of its operations and then fails (as a non-atomic engine can), `get` fails.
 */
class FaultyBackend implements StorageBackend {
  readonly name: string;
  readonly supports: BackendSupports;
  failApplyHalfway = false;
  failReads = false;
  constructor(readonly inner: StorageBackend) {
    this.name = `faulty ${inner.name}`;
    this.supports = { ...inner.supports, atomicBatch: false };
  }
  get state() {
    return this.inner.state;
  }
  open() {
    return this.inner.open();
  }
  close() {
    return this.inner.close();
  }
  async get(key: string) {
    if (this.failReads) throw new StowageError('IO', 'EIO: the disk failed a read (injected by the kit)');
    return this.inner.get(key);
  }
  set(key: string, value: EncodedValue, options?: WriteOptions) {
    return this.inner.set(key, value, options);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  entries(range?: RangeOptions) {
    return this.inner.entries(range);
  }
  async apply(operations: readonly BatchOperation[]) {
    const half = this.failApplyHalfway ? Math.ceil(operations.length / 2) : operations.length;
    for (const operation of operations.slice(0, half)) {
      if (operation.type === 'set')
        await this.inner.set(
          operation.key,
          operation.value,
          operation.expiresAt === undefined ? undefined : { expiresAt: operation.expiresAt },
        );
      else await this.inner.delete(operation.key);
    }
    if (half < operations.length) throw new StowageError('IO', 'ENOSPC: a batch failed halfway (injected by the kit)');
  }
}

export const guaranteeCases: KitCase[] = [
  {
    name: 'invalid ranges (gt with gte, a non-string bound, a negative or fractional limit, reverse not a boolean) are refused with INVALID_ARGUMENT',
    async run(context) {
      const store = await context.open();
      await store.set('a', 'kept');
      for (const [what, range] of invalidRanges) {
        await expectCode(() => store.entries(range as RangeOptions), 'INVALID_ARGUMENT', `entries with ${what}`);
        await expectCode(() => store.keys(range as RangeOptions), 'INVALID_ARGUMENT', `keys with ${what}`);
      }
      expectSameContents(await store.entries(), new Map([['a', 'kept']]), 'the store after the refusals');
    },
  },
  {
    name: 'keys of exactly maxKeyBytes in 2-, 3- and 4-byte UTF-8 are accepted and one byte more is refused with INVALID_KEY',
    gate: (supports) => supports.maxKeyBytes <= 1024 * 1024,
    async run(context) {
      const store = await context.open();
      const max = context.supports.maxKeyBytes;
      const model = new Map<string, Value>();
      for (const character of ['é', '€', '😀']) {
        const exact = keyOfBytes(max, character);
        expect(Buffer.byteLength(exact)).toBe(max);
        await store.set(exact, character);
        model.set(exact, character);
        expectValue(
          await store.get(exact),
          character,
          `get of a ${Buffer.byteLength(character)}-byte key at the limit`,
        );
        // One more character than fits, whatever its width: over the limit by 1 to 4 bytes.
        const over = character.repeat(Math.floor(max / Buffer.byteLength(character)) + 1).slice(-max);
        if (Buffer.byteLength(over) > max) {
          await expectCode(() => store.set(over, 'v'), 'INVALID_KEY', `set of ${Buffer.byteLength(over)} key bytes`);
        }
        const plusOne = `${exact}x`;
        await expectCode(() => store.set(plusOne, 'v'), 'INVALID_KEY', `set of ${max + 1} key bytes`);
      }
      expectSameContents(await store.entries(), model, 'the store after keys at the limit');
    },
  },
  {
    name: 'clear racing reads and a setMany, and two overlapping clears, end in the state the backend holds',
    modes: mapModes,
    async run(context) {
      const store = await context.open();
      const map = store.map!;
      for (let round = 0; round < 20; round++) {
        await map.setMany(Array.from({ length: 10 }, (_, i) => [`k${i}`, `old ${round}`] as const));
        const reads = Array.from({ length: 10 }, (_, i) => map.get(`k${i}`));
        const cleared = map.clear();
        const written = map.setMany(Array.from({ length: 5 }, (_, i) => [`k${i * 2}`, `new ${round}`] as const));
        const second = round % 2 === 0 ? map.clear() : Promise.resolve();
        await Promise.all([cleared, written, second, ...reads]);
        const stored = await store.stored();
        // What the map answers is what the backend holds: no cached entry a clear removed, none it missed.
        expectSameContents(await store.entries(), stored, `round ${round}: the map against its backend`);
        for (let i = 0; i < 10; i++)
          expectValue(await map.get(`k${i}`), stored.get(`k${i}`), `round ${round}: get k${i}`);
        expect(await map.size(), `round ${round}: size`).toBe(stored.size);
      }
    },
  },
  {
    name: 'a batch that fails halfway on a non-atomic backend rejects, and the map then answers what the backend holds',
    modes: mapModes,
    async run(context) {
      const faulty = new FaultyBackend(await context.createBackend());
      const map = await context.openMap<Value>(faulty);
      await map.setMany([
        ['a', 'a0'],
        ['b', 'b0'],
        ['c', 'c0'],
        ['d', 'd0'],
      ]);
      faulty.failApplyHalfway = true;
      let failure: unknown;
      await map
        .setMany([
          ['a', 'a1'],
          ['b', 'b1'],
          ['c', 'c1'],
          ['d', 'd1'],
        ])
        .catch((error: unknown) => {
          failure = error;
        });
      faulty.failApplyHalfway = false;
      expect(StowageError.is(failure), `the failed batch rejects with a StowageError, got ${String(failure)}`).toBe(
        true,
      );
      // Every key reads as the backend holds it: half of the batch landed, and the cache must know.
      const held = new Map<string, Value>();
      for await (const [key, value] of faulty.inner.entries()) held.set(key, decodeStored(value));
      expect(held.get('a')).toBe('a1');
      expect(held.get('d')).toBe('d0');
      for (const key of ['a', 'b', 'c', 'd'])
        expectValue(await map.get(key), held.get(key), `get ${key} after the half batch`);
      expectSameContents(await collect(map.entries()), held, 'the map after the half batch');
    },
  },
  {
    name: 'a backend read that fails rejects the map read with a StowageError, and the map stays usable',
    modes: mapModes,
    async run(context) {
      const faulty = new FaultyBackend(await context.createBackend());
      // A cache mode that must reach the backend: the LRU with one entry.
      const map = await context.openMap<Value>(faulty, { cache: { mode: 'lru', maxEntries: 1 } });
      await map.set('a', 'one');
      await map.set('b', 'two'); // evicts a
      faulty.failReads = true;
      await expectCode(() => map.get('a'), 'IO', 'a read whose backend read failed');
      faulty.failReads = false;
      expectValue(await map.get('a'), 'one', 'the same read once the backend reads again');
      await map.set('c', 'three');
      expectValue(await map.get('c'), 'three', 'a write and read after the failure');
    },
  },
];

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}
