import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import type { EncodedValue } from '../contract/storage-backend.js';
import { BareBackend, codeOf, collect, MapBackend, sleep } from '../test-backends.fixture.js';
import { bytesCodec, numberKeys, structuredCodec } from './codecs.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const modes: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 3 }],
];

describe.each(modes)('PersistentMap (%s cache)', (_, cache) => {
  const open = <V = unknown>(backend = new MapBackend({ supports: { orderedIteration: true } })) =>
    PersistentMap.open<string, V>(backend, { cache, sweepInterval: 0 });

  it('gets what was set, and undefined for a missing key', async () => {
    const map = await open();
    expect(await map.get('a')).toBeUndefined();
    await map.set('a', { n: 1 });
    expect(await map.get('a')).toEqual({ n: 1 });
    expect(await map.has('a')).toBe(true);
    expect(await map.has('b')).toBe(false);
    await map.close();
  });

  it('deletes and tells whether the key was present', async () => {
    const map = await open();
    await map.set('a', 1);
    expect(await map.delete('a')).toBe(true);
    expect(await map.delete('a')).toBe(false);
    expect(await map.get('a')).toBeUndefined();
    await map.close();
  });

  it('keeps data across a reopen of the backend', async () => {
    const data = new Map<string, EncodedValue>();
    const first = await open(new MapBackend({ data }));
    await first.setMany([
      ['a', 1],
      ['b', [2]],
    ]);
    await first.delete('a');
    await first.set('c', 'three');
    await first.close();
    const second = await open(new MapBackend({ data }));
    expect(await second.getMany(['a', 'b', 'c'])).toEqual([undefined, [2], 'three']);
    expect(await second.size()).toBe(2);
    await second.close();
  });

  it('stores plain codec output when there is no TTL', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    await map.set('a', { x: 'y' });
    expect(backend.data.get('a')).toBe('{"x":"y"}');
    await map.close();
  });

  it('counts size, clears, and iterates in code-point order on an ordered backend', async () => {
    const map = await open();
    await map.setMany(['b', 'a', '😀', '\uffff', 'c'].map((key, index) => [key, index] as const));
    expect(await map.size()).toBe(5);
    expect(await collect(map.keys())).toEqual(['a', 'b', 'c', '\uffff', '😀']);
    expect(await collect(map.values({ gte: 'b', lt: '\uffff' }))).toEqual([0, 4]);
    expect(await collect(map.keys({ reverse: true, limit: 2 }))).toEqual(['😀', '\uffff']);
    expect(await collect(map)).toContainEqual(['😀', 2]);
    expect(await collect(map.entries({ prefix: 'a' }))).toEqual([['a', 1]]);
    await map.clear();
    expect(await map.size()).toBe(0);
    expect(await collect(map.keys())).toEqual([]);
    await map.close();
  });

  it('getMany, setMany and deleteMany work on many keys, repeated keys included', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    await map.setMany([
      ['a', 1],
      ['b', 2],
      ['a', 3],
    ]);
    expect(backend.calls.apply).toBe(1);
    expect(await map.getMany(['a', 'b', 'x', 'a'])).toEqual([3, 2, undefined, 3]);
    expect(await map.deleteMany(['a', 'x', 'a'])).toBe(1);
    expect(await map.getMany(['a', 'b'])).toEqual([undefined, 2]);
    expect(await map.deleteMany([])).toBe(0);
    await map.close();
  });

  it('refuses invalid keys with INVALID_KEY and writes nothing', async () => {
    const backend = new MapBackend({ supports: { maxKeyBytes: 10 } });
    const map = await open(backend);
    for (const key of ['\udc00x', 'x'.repeat(11), 5 as unknown as string, null as unknown as string]) {
      expect(await codeOf(map.set(key, 1))).toBe('INVALID_KEY');
      expect(await codeOf(map.get(key))).toBe('INVALID_KEY');
      expect(await codeOf(map.update(key, () => 1))).toBe('INVALID_KEY');
    }
    expect(
      await codeOf(
        map.setMany([
          ['ok', 1],
          ['\ud800', 2],
        ]),
      ),
    ).toBe('INVALID_KEY');
    expect(backend.calls.set + backend.calls.apply).toBe(0);
    expect(backend.data.size).toBe(0);
    await map.close();
  });

  it('refuses unencodable values with ENCODE_FAILED and writes nothing', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    await map.set('keep', 1);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [1n, cyclic, () => 1, Symbol('s'), undefined, { nested: 2n }]) {
      expect(await codeOf(map.set('keep', value))).toBe('ENCODE_FAILED');
    }
    expect(
      await codeOf(
        map.setMany([
          ['ok', 1],
          ['bad', 1n],
        ]),
      ),
    ).toBe('ENCODE_FAILED');
    expect(await codeOf(map.update('keep', () => 1n))).toBe('ENCODE_FAILED');
    expect(await map.get('keep')).toBe(1);
    expect([...backend.data.keys()]).toEqual(['keep']);
    expect(backend.data.get('keep')).toBe('1');
    await map.close();
  });

  it('reports a stored value the codec cannot read as DECODE_FAILED naming the key', async () => {
    const data = new Map<string, EncodedValue>([['bad key', '{not json']]);
    if (cache.mode === 'full') {
      const error = await PersistentMap.open(new MapBackend({ data }), { cache }).catch((caught: unknown) => caught);
      expect(StowageError.is(error, 'DECODE_FAILED')).toBe(true);
      expect((error as StowageError).key).toBe('bad key');
      expect((error as Error).message).toContain('bad key');
      return;
    }
    const map = await open(new MapBackend({ data }));
    const error = await map.get('bad key').catch((caught: unknown) => caught);
    expect(StowageError.is(error, 'DECODE_FAILED')).toBe(true);
    expect((error as StowageError).key).toBe('bad key');
    expect(map.stats().errors).toBe(1);
    await map.close();
  });

  it('update writes the result of fn, and deletes when fn returns undefined', async () => {
    const map = await open<number>();
    expect(await map.update('n', (current) => (current ?? 0) + 1)).toBe(1);
    expect(await map.update('n', async (current) => (current ?? 0) + 1)).toBe(2);
    expect(await map.get('n')).toBe(2);
    expect(await map.update('n', () => undefined)).toBeUndefined();
    expect(await map.has('n')).toBe(false);
    const error = await map
      .update('n', () => {
        throw new Error('no');
      })
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('no');
    await map.close();
  });

  it('refuses every call after close with STORE_CLOSED', async () => {
    const map = await open();
    await map.set('a', 1);
    const ns = map.namespace('n:');
    await map.close();
    const calls: Promise<unknown>[] = [
      map.get('a'),
      map.set('a', 2),
      map.delete('a'),
      map.has('a'),
      map.size(),
      map.clear(),
      map.getMany(['a']),
      map.setMany([['a', 2]]),
      map.deleteMany(['a']),
      map.keys().next(),
      map.values().next(),
      map.entries().next(),
      map[Symbol.asyncIterator]().next(),
      map.update('a', () => 2),
      map.expire('a', 10),
      map.ttl('a'),
      map.persist('a'),
      map.transaction(async () => 1),
      map.flush(),
      map.sweep(),
      ns.get('a'),
      ns.set('a', 1),
    ];
    for (const call of calls) expect(await codeOf(call)).toBe('STORE_CLOSED');
    expect(map.backend.state).toBe('closed');
  });

  it('close is idempotent, waits for writes in flight, and asyncDispose closes', async () => {
    const backend = new MapBackend({ delay: () => 10 });
    const map = await open(backend);
    const write = map.set('a', 1);
    const closing = map.close();
    expect(map.close()).toBe(closing);
    await closing;
    await write;
    expect(backend.data.get('a')).toBe('1');
    expect(backend.state).toBe('closed');

    const disposed = await open();
    {
      await using scoped = disposed;
      await scoped.set('x', 1);
    }
    expect(disposed.backend.state).toBe('closed');
  });

  it('flush reaches the backend', async () => {
    const backend = new MapBackend();
    let flushed = 0;
    backend.flush = async () => {
      flushed++;
    };
    const map = await open(backend);
    await map.flush();
    expect(flushed).toBe(1);
    await map.close();
  });

  it('rejects a failed backend write with its error and leaves cache and backend unchanged', async () => {
    const backend = new MapBackend();
    const map = await open(backend);
    await map.set('a', 1);
    backend.failWith = (operation) => (operation === 'get' ? undefined : new Error('EIO'));
    const error = await map.set('a', 2).catch((caught: unknown) => caught);
    expect(StowageError.is(error, 'IO')).toBe(true);
    expect((error as Error).message).toContain('EIO');
    expect(await codeOf(map.delete('a'))).toBe('IO');
    expect(
      await codeOf(
        map.setMany([
          ['a', 3],
          ['b', 3],
        ]),
      ),
    ).toBe('IO');
    expect(await codeOf(map.update('a', () => 4))).toBe('IO');
    expect(await codeOf(map.clear())).toBe('IO');
    expect(await map.get('a')).toBe(1);
    expect(await map.get('b')).toBeUndefined();
    expect(backend.data.get('a')).toBe('1');
    expect(backend.data.has('b')).toBe(false);
    expect(map.stats().errors).toBeGreaterThanOrEqual(5);
    backend.failWith = undefined;
    await map.set('a', 5);
    expect(await map.get('a')).toBe(5);
    await map.close();
  });
});

describe('PersistentMap options and codecs', () => {
  it('refuses invalid options with INVALID_CONFIG', async () => {
    const backend = new MapBackend();
    expect(await codeOf(PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 0 } }))).toBe('INVALID_CONFIG');
    expect(await codeOf(PersistentMap.open(backend, { cache: { mode: 'other' } as never }))).toBe('INVALID_CONFIG');
    expect(await codeOf(PersistentMap.open(backend, { sweepInterval: -1 }))).toBe('INVALID_CONFIG');
    expect(await codeOf(PersistentMap.open({} as never))).toBe('INVALID_CONFIG');
    expect(backend.state).toBe('new');
  });

  it('keeps Map, Set, Date and BigInt with the structured codec', async () => {
    const data = new Map<string, EncodedValue>();
    const value = { when: new Date(0), tags: new Set(['a']), index: new Map([['k', 1n]]) };
    const map = await PersistentMap.open(new MapBackend({ data }), { codec: structuredCodec });
    await map.set('v', value);
    await map.close();
    const reopened = await PersistentMap.open(new MapBackend({ data }), { codec: structuredCodec });
    expect(await reopened.get('v')).toEqual(value);
    await reopened.close();
  });

  it('stores raw bytes, also bytes that start with 0x01', async () => {
    const data = new Map<string, EncodedValue>();
    const map = await PersistentMap.open(new MapBackend({ data }), { codec: bytesCodec });
    await map.set('one', new Uint8Array([1, 2]));
    await map.set('empty', new Uint8Array([]));
    await map.close();
    const reopened = await PersistentMap.open(new MapBackend({ data }), { codec: bytesCodec, cache: { mode: 'lru' } });
    expect(await reopened.get('one')).toEqual(new Uint8Array([1, 2]));
    expect(await reopened.get('empty')).toEqual(new Uint8Array([]));
    await reopened.close();
  });

  it('iterates numberKeys in numeric order on an ordered backend', async () => {
    const numbers = [3, -2.5, 0, 1e6, -1e6, 0.001];
    for (const cache of modes.map(([, options]) => options)) {
      const map = await PersistentMap.open<number, string>(new MapBackend({ supports: { orderedIteration: true } }), {
        keyCodec: numberKeys,
        cache,
      });
      await map.setMany(numbers.map((n) => [n, `v${n}`] as const));
      expect(await collect(map.keys())).toEqual([...numbers].sort((a, b) => a - b));
      expect(await map.get(-2.5)).toBe('v-2.5');
      expect(await codeOf(map.set(Number.NaN, 'x'))).toBe('INVALID_KEY');
      await map.close();
    }
  });

  it('works on a backend with only the required methods', async () => {
    const backend = new BareBackend();
    for (const cache of modes.map(([, options]) => options)) {
      const map = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
      await map.setMany([
        ['a', 1],
        ['b', 2],
        ['n:c', 3],
      ]);
      expect(await map.getMany(['a', 'b', 'zz'])).toEqual([1, 2, undefined]);
      expect(await map.deleteMany(['a', 'zz'])).toBe(1);
      expect(await map.size()).toBe(2);
      await map.namespace('n:').clear();
      expect([...backend.data.keys()]).toEqual(['b']);
      await map.clear();
      expect(backend.data.size).toBe(0);
      await map.flush();
      await map.close();
      backend.state = 'new';
    }
  });

  it('reads after open only from the cache in full mode', async () => {
    const backend = new MapBackend({ data: new Map([['a', '1']]) });
    const map = await PersistentMap.open(backend);
    const reads = backend.calls.get + backend.calls.getMany;
    for (let i = 0; i < 10; i++) await map.get(i % 2 ? 'a' : 'missing');
    expect(await map.getMany(['a', 'missing'])).toEqual([1, undefined]);
    expect(backend.calls.get + backend.calls.getMany).toBe(reads);
    await map.close();
  });

  it('loses no write when close is called while many are in flight', async () => {
    const backend = new MapBackend({ delay: () => Math.random() * 5 });
    const map = await PersistentMap.open(backend);
    const writes = Array.from({ length: 50 }, (_, i) => map.set(`k${i}`, i));
    await sleep(1);
    await map.close();
    await Promise.all(writes);
    expect(backend.data.size).toBe(50);
  });
});
