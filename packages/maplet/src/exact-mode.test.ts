import { StowageError } from '@stowage/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryBackend } from './fixtures/inner-engines.fixture.js';
import { MapletBackend } from './maplet-backend.js';

/** A memory backend that counts the reads reaching it. */
class CountingMemory extends MemoryBackend {
  reads = 0;
  protected override _get(key: string) {
    this.reads++;
    return super._get(key);
  }
}

async function openExact(options: { capacity?: number; falsePositiveRate?: number } = {}) {
  const inner = new CountingMemory();
  const backend = new MapletBackend({ inner, maplet: { capacity: 64, ...options } });
  await backend.open();
  return { inner, backend };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('exact mode', () => {
  it('answers absent keys without reading the inner store, except for false positives', async () => {
    const { inner, backend } = await openExact({ falsePositiveRate: 0.01 });
    for (let i = 0; i < 2_000; i++) await backend.set(`present:${i}`, `v${i}`);
    inner.reads = 0;
    for (let i = 0; i < 20_000; i++) expect(await backend.get(`absent:${i}`)).toBeUndefined();
    const stats = backend.stats();
    expect(stats.reads!.filteredReads + stats.reads!.innerReads).toBe(20_000);
    expect(inner.reads).toBe(stats.reads!.innerReads);
    expect(inner.reads / 20_000).toBeLessThan(0.02);
    for (let i = 0; i < 2_000; i++) expect(await backend.get(`present:${i}`)).toBe(`v${i}`);
    await backend.close();
  });

  it('never loses a key across sets, deletes, batches, clears and rebuilds racing each other', async () => {
    const { backend } = await openExact({ falsePositiveRate: 0.3 });
    const model = new Map<string, string>();
    const work: Promise<unknown>[] = [];
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 50; i++) {
        const key = `k${(round * 31 + i * 7) % 400}`;
        if ((round + i) % 5 === 0) {
          model.delete(key);
          work.push(backend.delete(key));
        } else if ((round + i) % 7 === 0) {
          const other = `k${(i * 13) % 400}`;
          model.set(key, `b${round}`);
          model.delete(other === key ? `none` : other);
          const operations = [
            { type: 'set' as const, key, value: `b${round}` },
            ...(other === key ? [] : [{ type: 'delete' as const, key: other }]),
          ];
          work.push(backend.apply(operations));
        } else {
          model.set(key, `s${round}`);
          work.push(backend.set(key, `s${round}`));
        }
      }
      if (round % 9 === 0) work.push(backend.rebuild());
    }
    await Promise.all(work);
    for (let i = 0; i < 400; i++) expect(await backend.get(`k${i}`), `k${i}`).toBe(model.get(`k${i}`));
    expect(await backend.size()).toBe(model.size);
    expect(backend.stats().reads!.rebuilds).toBeGreaterThanOrEqual(2); // the open, then at least one during the writes
    await backend.clear({ prefix: 'k1' });
    for (let i = 0; i < 400; i++) {
      const key = `k${i}`;
      expect(await backend.get(key), key).toBe(key.startsWith('k1') ? undefined : model.get(key));
    }
    await backend.close();
  });

  it('offers TTL as Mappy did: expire, ttl, persist, expire many, keys with a TTL; never early', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
    const { backend } = await openExact();
    await backend.set('a', '1');
    await backend.set('b', '2');
    await backend.set('c', '\x01raw'); // a raw value that looks like an envelope stays itself
    expect(await backend.ttl('a')).toBe(Number.POSITIVE_INFINITY);
    expect(await backend.ttl('missing')).toBeUndefined();
    expect(await backend.expire('missing', 1_000)).toBe(false);
    expect(await backend.expire('a', 60_000)).toBe(true);
    const left = (await backend.ttl('a'))!;
    expect(left).toBeGreaterThan(59_000);
    expect(left).toBeLessThanOrEqual(60_000);
    expect(await backend.expireMany(['b', 'c', 'missing'], 400)).toBe(2);
    const expiresAt = Date.now() + (await backend.ttl('b'))!;
    expect((await backend.keysWithTtl()).map(([key]) => key).sort()).toEqual(['a', 'b', 'c']);
    expect(await backend.persist('c')).toBe(true);
    expect(await backend.get('c')).toBe('\x01raw');
    // Until its expiry b is there (never early); after it, gone.
    vi.setSystemTime(expiresAt - 1);
    expect(await backend.get('b')).toBe('2');
    vi.setSystemTime(expiresAt);
    expect(await backend.get('b')).toBeUndefined();
    expect(await backend.sweepExpiredKeys()).toBe(1);
    expect(await backend.size()).toBe(2);
    await expect(backend.expire('a', -1)).rejects.toSatisfy((error) => StowageError.is(error, 'INVALID_ARGUMENT'));
    await backend.close();
  });

  it('refuses misspelled options and a dir beside inner with INVALID_CONFIG', () => {
    expect(() => new MapletBackend({ inner: new MemoryBackend(), dir: '/x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => new MapletBackend({ falsePositveRate: 0.1 } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => new MapletBackend({ maplet: { valueBits: 40 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});

describe('exact mode: reads, deletes and expiry, exactly', () => {
  const start = Date.UTC(2030, 0, 1);

  /** An exact backend at fake time `start`: a and c forever, b expiring 1 s later. */
  async function withExpiringKey() {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const { inner, backend } = await openExact({ falsePositiveRate: 0.0001 });
    await backend.set('a', '1');
    await backend.set('b', '2');
    await backend.set('c', '3');
    expect(await backend.expire('b', 1_000)).toBe(true);
    return { inner, backend };
  }

  it('has and getMany answer what get answers, and a value is there until the instant of its expiry', async () => {
    const { backend } = await withExpiringKey();
    vi.setSystemTime(start + 999);
    expect([await backend.has('a'), await backend.has('b'), await backend.has('nowhere')]).toEqual([true, true, false]);
    expect(await backend.getMany(['a', 'nowhere', 'b', 'c'])).toEqual(['1', undefined, '2', '3']);
    expect(await backend.get('b')).toBe('2');
    vi.setSystemTime(start + 1_000);
    expect(await backend.get('b')).toBeUndefined();
    expect(await backend.has('b')).toBe(false);
    expect(await backend.getMany(['b', 'a'])).toEqual([undefined, '1']);
    expect(await backend.getMany(['nowhere'])).toEqual([undefined]);
    await backend.close();
  });

  it('counts each read: absent keys filtered, the others sent to the inner store', async () => {
    const { inner, backend } = await withExpiringKey();
    const before = { ...backend.stats().reads! };
    inner.reads = 0;
    await backend.getMany(['a', 'nowhere', 'c', 'nowhere either']);
    await backend.has('a');
    await backend.has('nowhere');
    const after = backend.stats().reads!;
    expect(after.filteredReads - before.filteredReads).toBe(3);
    expect(after.innerReads - before.innerReads).toBe(3);
    expect(after.falsePositiveReads).toBe(before.falsePositiveReads);
    await backend.close();
  });

  it('counts every inner read of an absent key as a false positive', async () => {
    const { inner, backend } = await openExact({ falsePositiveRate: 0.3 });
    for (let i = 0; i < 50; i++) await backend.set(`present:${i}`, 'v');
    const before = { ...backend.stats().reads! };
    inner.reads = 0;
    for (let i = 0; i < 300; i++) expect(await backend.get(`absent:${i}`)).toBeUndefined();
    const after = backend.stats().reads!;
    expect(inner.reads).toBeGreaterThan(0);
    expect(after.falsePositiveReads - before.falsePositiveReads).toBe(inner.reads);
    await backend.close();
  });

  it('delete: false for an absent or expired key, true for a present one, whose reads are then filtered', async () => {
    const { inner, backend } = await withExpiringKey();
    expect(await backend.delete('nowhere')).toBe(false);
    vi.setSystemTime(start + 1_000);
    expect(await backend.delete('b')).toBe(false); // already invisible, but gone from the inner store too
    expect(await inner.has('b')).toBe(false);
    expect(await backend.delete('a')).toBe(true);
    expect(await inner.has('a')).toBe(false);
    const filtered = backend.stats().reads!.filteredReads;
    expect(await backend.get('a')).toBeUndefined();
    expect(backend.stats().reads!.filteredReads).toBe(filtered + 1);
    expect(await backend.size()).toBe(1);
    await backend.close();
  });

  it('entries leave out expired values, and a limit counts only what they yield', async () => {
    const { backend } = await withExpiringKey();
    vi.setSystemTime(start + 1_000);
    const all: [string, string][] = [];
    for await (const entry of backend.entries()) all.push(entry as [string, string]);
    expect(all).toEqual([
      ['a', '1'],
      ['c', '3'],
    ]);
    const limited: string[] = [];
    for await (const [key] of backend.entries({ gte: 'b', limit: 1 })) limited.push(key);
    expect(limited).toEqual(['c']);
    await backend.close();
  });

  it('the maplet is a membership maplet at the given rate, rebuilt to 1.1x the key count', async () => {
    const { backend } = await openExact({ falsePositiveRate: 0.002 });
    const check = () => {
      const { valueBits, falsePositiveRate, merge } = backend.maplet.settings;
      expect([valueBits, falsePositiveRate, merge.name]).toEqual([0, 0.002, 'or']);
    };
    check();
    for (let i = 0; i < 2_000; i++) await backend.set(`k${i}`, 'v');
    await backend.rebuild();
    check();
    expect(backend.maplet.settings.capacity).toBe(2_200);
    await backend.close();
  });

  it('close closes the inner store; flush works on an inner store without flush', async () => {
    const inner = new MemoryBackend();
    Object.defineProperty(inner, 'flush', { value: undefined });
    const backend = new MapletBackend({ inner });
    await backend.open();
    await backend.set('a', '1');
    await backend.flush();
    await backend.close();
    expect(inner.state).toBe('closed');
  });

  it('refuses approximate-only and TTL misuse with coded errors naming the maplet', async () => {
    const { backend } = await openExact();
    const removeError = await backend.remove('a', '1').then(
      () => undefined,
      (error: unknown) => error as StowageError,
    );
    expect([removeError?.code, removeError?.origin]).toEqual(['NOT_SUPPORTED', '@stowage/maplet']);
    const manyError = await backend.expireMany('a' as never, 10).then(
      () => undefined,
      (error: unknown) => error as StowageError,
    );
    expect([manyError?.code, manyError?.origin]).toEqual(['INVALID_ARGUMENT', '@stowage/maplet']);
    await backend.close();
  });
});

describe('exact mode: the maplet follows every write, without a rebuild', () => {
  /** Whether a read of `key` was answered from the maplet alone (no inner read). */
  async function filtered(backend: MapletBackend, key: string): Promise<boolean> {
    const before = backend.stats().reads!.filteredReads;
    expect(await backend.get(key)).toBeUndefined();
    return backend.stats().reads!.filteredReads === before + 1;
  }

  it('a key set by set or apply is found at once, even where the maplet already said maybe', async () => {
    const { backend } = await openExact({ falsePositiveRate: 0.3 });
    for (let i = 0; i < 300; i++) await backend.set(`s${i}`, `v${i}`);
    await backend.apply(
      Array.from({ length: 300 }, (_, i) => ({ type: 'set' as const, key: `b${i}`, value: `w${i}` })),
    );
    await backend.apply([{ type: 'set', key: 'raw', value: '\x01raw' }]);
    for (let i = 0; i < 300; i++) {
      expect(await backend.get(`s${i}`)).toBe(`v${i}`);
      expect(await backend.get(`b${i}`)).toBe(`w${i}`);
    }
    expect(await backend.get('raw')).toBe('\x01raw');
    await backend.close();
  });

  it('a key deleted by delete or apply is answered absent from the maplet alone, also after repeated sets', async () => {
    const { backend } = await openExact({ falsePositiveRate: 0.0001 });
    await backend.set('twice', '1');
    await backend.set('twice', '2');
    await backend.apply([{ type: 'set', key: 'batched', value: '1' }]);
    await backend.apply([{ type: 'set', key: 'batched', value: '2' }]);
    await backend.set('kept', '1');
    expect(await backend.delete('twice')).toBe(true);
    await backend.apply([
      { type: 'delete', key: 'batched' },
      { type: 'delete', key: 'never there' },
      { type: 'set', key: 'kept', value: '2' },
    ]);
    expect(await filtered(backend, 'twice')).toBe(true);
    expect(await filtered(backend, 'batched')).toBe(true);
    expect(await filtered(backend, 'never there')).toBe(true);
    expect(await backend.get('kept')).toBe('2');
    await backend.close();
  });

  it('a batch racing a rebuild is in the rebuilt maplet, whatever the interleaving', async () => {
    for (const first of ['apply', 'rebuild'] as const) {
      for (let ticks = 0; ticks < 12; ticks++) {
        const { backend } = await openExact();
        for (let i = 0; i < 20; i++) await backend.set(`early${i}`, 'v');
        const key = `late${ticks}`;
        const start = () => (first === 'apply' ? backend.apply([{ type: 'set', key, value: 'v' }]) : backend.rebuild());
        const then = () => (first === 'apply' ? backend.rebuild() : backend.apply([{ type: 'set', key, value: 'v' }]));
        const started = start();
        for (let i = 0; i < ticks; i++) await Promise.resolve();
        await Promise.all([started, then()]);
        expect(await backend.get(key), `${first} first, ${ticks} ticks apart`).toBe('v');
        await backend.close();
      }
    }
  });

  it('a key set where another key made the maplet say maybe keeps its own entry once that key is deleted', async () => {
    for (const write of ['set', 'apply'] as const) {
      const { backend } = await openExact({ falsePositiveRate: 0.3 });
      for (let i = 0; i < 1_000; i++) await backend.set(`old${i}`, 'v');
      for (let i = 0; i < 200; i++) {
        if (write === 'set') await backend.set(`new${i}`, 'w');
        else await backend.apply([{ type: 'set', key: `new${i}`, value: 'w' }]);
      }
      for (let i = 0; i < 1_000; i++) expect(await backend.delete(`old${i}`)).toBe(true);
      for (let i = 0; i < 200; i++) expect(await backend.get(`new${i}`), `${write} new${i}`).toBe('w');
      await backend.close();
    }
  });
});

describe('exact mode: expiry through batches and sweeps', () => {
  const start = Date.UTC(2030, 0, 1);

  it('hands the expiry hints of a batch to the inner store, which can sweep by them', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const { inner, backend } = await openExact();
    await backend.apply([
      { type: 'set', key: 'brief', value: '1', expiresAt: start + 1_000 },
      { type: 'set', key: 'lasting', value: '2' },
    ]);
    expect(await inner.sweepExpired(start + 999)).toBe(0);
    expect(await inner.sweepExpired(start + 1_000)).toBe(1);
    expect(await inner.has('lasting')).toBe(true);
    await backend.close();
  });

  it('a sweep leaves, and does not count, a key rewritten without a TTL after its scan', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    let afterScan: (() => void) | undefined;
    class HookedMemory extends MemoryBackend {
      protected override async *_entries(range: Parameters<MemoryBackend['_entries']>[0]) {
        yield* super._entries(range);
        afterScan?.();
      }
    }
    const inner = new HookedMemory();
    const backend = new MapletBackend({ inner, maplet: { capacity: 64 } });
    await backend.open();
    await backend.set('a', 'old');
    await backend.set('b', 'old');
    await backend.expireMany(['a', 'b'], 1_000);
    vi.setSystemTime(start + 5_000);
    let rewrite: Promise<void> | undefined;
    afterScan = () => {
      afterScan = undefined;
      rewrite = backend.set('a', 'new'); // takes a's lock before the sweep does
    };
    expect(await backend.sweepExpiredKeys()).toBe(1);
    await rewrite;
    expect(await backend.getMany(['a', 'b'])).toEqual(['new', undefined]);
    await backend.close();
  });

  it('a sweep skips, without counting or failing, a key deleted after its scan', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    let afterScan: (() => void) | undefined;
    class HookedMemory extends MemoryBackend {
      protected override async *_entries(range: Parameters<MemoryBackend['_entries']>[0]) {
        yield* super._entries(range);
        afterScan?.();
      }
    }
    const backend = new MapletBackend({ inner: new HookedMemory(), maplet: { capacity: 64 } });
    await backend.open();
    await backend.set('a', 'old');
    await backend.set('b', 'old');
    await backend.expireMany(['a', 'b'], 1_000);
    vi.setSystemTime(start + 5_000);
    let deletion: Promise<boolean> | undefined;
    afterScan = () => {
      afterScan = undefined;
      deletion = backend.delete('a'); // takes a's lock before the sweep does
    };
    expect(await backend.sweepExpiredKeys()).toBe(1);
    expect(await deletion).toBe(false); // already expired: it was not there to see
    expect(await backend.size()).toBe(0);
    await backend.close();
  });
});

describe('exact mode: TTL at its edges', () => {
  const start = Date.UTC(2031, 0, 1);

  async function timed() {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const opened = await openExact({ falsePositiveRate: 0.0001 });
    await opened.backend.set('soon', '1');
    await opened.backend.set('later', '2');
    await opened.backend.set('never', '3');
    await opened.backend.expire('soon', 1_000);
    await opened.backend.expire('later', 5_000);
    return opened;
  }

  it('ttl, keysWithTtl and sweeps treat the instant of expiry as expired, and 1 ms before as not', async () => {
    const { backend } = await timed();
    vi.setSystemTime(start + 999);
    expect(await backend.ttl('soon')).toBe(1);
    expect((await backend.keysWithTtl()).map(([key]) => key).sort()).toEqual(['later', 'soon']);
    vi.setSystemTime(start + 1_000);
    expect(await backend.ttl('soon')).toBeUndefined();
    expect(await backend.keysWithTtl()).toEqual([['later', 4_000]]);
    expect(await backend.sweepExpiredKeys(start + 999)).toBe(0);
    expect(await backend.sweepExpiredKeys(start + 1_000)).toBe(1);
    expect(await backend.size()).toBe(2);
    await backend.close();
  });

  it('delete of a key whose expiry is still to come says it was there', async () => {
    const { backend } = await timed();
    vi.setSystemTime(start + 4_999);
    expect(await backend.delete('later')).toBe(true);
    expect(await backend.delete('never')).toBe(true);
    await backend.close();
  });

  it('expire and persist hand the expiry hint to the inner store, or take it away', async () => {
    const { inner, backend } = await timed();
    expect(await backend.persist('later')).toBe(true);
    expect(await inner.sweepExpired(start + 10_000)).toBe(1); // only soon
    expect(await inner.has('later')).toBe(true);
    await backend.close();
  });

  it('ttl of an absent key is undefined, also where the maplet says maybe', async () => {
    const { inner, backend } = await openExact({ falsePositiveRate: 0.3 });
    for (let i = 0; i < 1_000; i++) await backend.set(`present:${i}`, 'v');
    inner.reads = 0;
    for (let i = 0; i < 300; i++) expect(await backend.ttl(`absent:${i}`)).toBeUndefined();
    expect(inner.reads).toBeGreaterThan(0); // some went to the inner store
    await backend.close();
  });

  it('a rebuild after a key was set and deleted keeps no entry for it: its reads are filtered again', async () => {
    const { backend } = await openExact({ falsePositiveRate: 0.0001 });
    await backend.set('gone', '1');
    await backend.apply([{ type: 'set', key: 'gone too', value: '1' }]);
    expect(await backend.delete('gone')).toBe(true);
    expect(await backend.delete('gone too')).toBe(true);
    await backend.rebuild();
    const filtered = backend.stats().reads!.filteredReads;
    expect(await backend.getMany(['gone', 'gone too'])).toEqual([undefined, undefined]);
    expect(backend.stats().reads!.filteredReads).toBe(filtered + 2);
    await backend.close();
  });
});
