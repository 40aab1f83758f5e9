import type { StowageError } from '@stowage/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryBackend } from './fixtures/inner-engines.fixture.js';
import { MapletBackend } from './maplet-backend.js';

afterEach(() => {
  vi.useRealTimers();
});

/** The StowageError `promise` rejects with (undefined when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<StowageError | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => error as StowageError,
  );
}

describe('MapletBackend: what it says about itself', () => {
  it('is named maplet, and its mode, stats and supports follow the inner store or its absence', async () => {
    const inner = new MemoryBackend();
    const exact = new MapletBackend({ inner });
    const approximate = new MapletBackend();
    expect([exact.name, exact.mode, approximate.name, approximate.mode]).toEqual([
      'maplet',
      'exact',
      'maplet',
      'approximate',
    ]);
    expect(exact.supports).toMatchObject({
      exactMembership: true,
      persistent: inner.supports.persistent,
      orderedIteration: inner.supports.orderedIteration,
      atomicBatch: inner.supports.atomicBatch,
      durability: inner.supports.durability,
      maxKeyBytes: inner.supports.maxKeyBytes,
      maxValueBytes: inner.supports.maxValueBytes - 18,
    });
    expect(approximate.supports).toMatchObject({ exactMembership: false, persistent: false, maxValueBytes: 16 });
    await exact.open();
    await approximate.open();
    expect(exact.stats(100).mode).toBe('exact');
    expect(exact.stats(100).reads).toMatchObject({ rebuilds: 1 });
    expect(approximate.stats(100).mode).toBe('approximate');
    expect(approximate.stats(100)).not.toHaveProperty('reads');
    await exact.close();
    await approximate.close();
  });
});

describe('MapletBackend: TTL calls', () => {
  it('keysWithTtl gives the ms left; a TTL of 0 is allowed, a negative, infinite or non-number one is INVALID_ARGUMENT', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
    const backend = new MapletBackend({ inner: new MemoryBackend() });
    await backend.open();
    await backend.set('a', '1');
    await backend.set('b', '2');
    expect(await backend.expire('a', 1_500)).toBe(true);
    vi.setSystemTime(Date.UTC(2030, 0, 1) + 500);
    expect(await backend.keysWithTtl()).toEqual([['a', 1_000]]);
    expect(await backend.expire('b', 0)).toBe(true);
    expect(await backend.get('b')).toBeUndefined();
    for (const bad of [-1, Number.POSITIVE_INFINITY, Number.NaN, '5' as never]) {
      const error = await rejection(backend.expire('a', bad));
      expect([error?.code, error?.origin], String(bad)).toEqual(['INVALID_ARGUMENT', '@stowage/maplet']);
    }
    await backend.close();
  });

  it('TTL calls in approximate mode are NOT_SUPPORTED naming the maplet', async () => {
    const backend = new MapletBackend();
    await backend.open();
    for (const call of [
      () => backend.expire('a', 1),
      () => backend.ttl('a'),
      () => backend.persist('a'),
      () => backend.expireMany(['a'], 1),
      () => backend.keysWithTtl(),
      () => backend.sweepExpiredKeys(),
    ]) {
      const error = await rejection(call());
      expect([error?.code, error?.origin]).toEqual(['NOT_SUPPORTED', '@stowage/maplet']);
    }
    await backend.close();
  });
});

describe('MapletBackend: approximate mode refusals', () => {
  it('refuses a batch holding any delete, applying none of it, and key-less or ranged listing and clearing', async () => {
    const backend = new MapletBackend({ maplet: { valueBits: 8, merge: 'max' } });
    await backend.open();
    const error = await rejection(
      backend.apply([
        { type: 'set', key: 'a', value: '1' },
        { type: 'delete', key: 'b' },
      ]),
    );
    expect([error?.code, error?.origin]).toEqual(['NOT_SUPPORTED', '@stowage/maplet']);
    expect(await backend.get('a')).toBeUndefined();
    const listing = await rejection(
      (async () => {
        for await (const _ of backend.entries()) {
          /* nothing */
        }
      })(),
    );
    expect([listing?.code, listing?.origin]).toEqual(['NOT_SUPPORTED', '@stowage/maplet']);
    const deleting = await rejection(backend.delete('a'));
    expect([deleting?.code, deleting?.origin]).toEqual(['NOT_SUPPORTED', '@stowage/maplet']);
    await backend.set('a', '1');
    // A range whose every bound is undefined is the whole store.
    await backend.clear({ prefix: undefined } as never); // as a JavaScript caller may pass it
    expect(await backend.get('a')).toBeUndefined();
    await backend.close();
  });
});

describe('MapletBackend: flush in exact mode', () => {
  it('resolves only once the inner store has flushed', async () => {
    const inner = new MemoryBackend();
    let release!: () => void;
    Object.defineProperty(inner, 'flush', {
      value: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    });
    const backend = new MapletBackend({ inner });
    await backend.open();
    let flushed = false;
    const flushing = backend.flush().then(() => {
      flushed = true;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(flushed).toBe(true);
    await backend.close();
  });
});
