import { describe, expect, it, vi } from 'vitest';
import { StowageError } from '../contract/errors.js';
import type { EncodedValue } from '../contract/storage-backend.js';
import { collect, MapBackend, settle, sleep, TransactionalBackend } from '../test-backends.fixture.js';
import { type Codec, jsonCodec, type KeyCodec, structuredCodec } from './codecs.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const caches: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 100 }],
];

async function rejection(promise: Promise<unknown>): Promise<StowageError> {
  try {
    await promise;
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw new Error(`not a StowageError: ${String(error)}`);
  }
  throw new Error('resolved');
}

/** Keys are `{ id }` objects stored as their id; `encode` and `decode` fail on demand. */
function objectKeys(failure: { encode?: unknown; encodeTo?: unknown; decode?: unknown }): KeyCodec<{ id: string }> {
  return {
    name: 'object',
    encode: (key) => {
      if (failure.encode !== undefined) throw failure.encode;
      if (failure.encodeTo !== undefined) return failure.encodeTo as string;
      return key.id;
    },
    decode: (key) => {
      if (failure.decode !== undefined) throw failure.decode;
      return { id: key };
    },
  };
}

describe.each(caches)('codec failures (%s cache)', (_, cache) => {
  it('turns a key codec that throws into INVALID_KEY carrying its error, and writes nothing', async () => {
    const backend = new MapBackend();
    const failure = new Error('no such key shape');
    const map = await PersistentMap.open(backend, {
      cache,
      sweepInterval: 0,
      keyCodec: objectKeys({ encode: failure }),
    });
    for (const attempt of [map.set({ id: 'a' }, 1), map.get({ id: 'a' }), map.delete({ id: 'a' })]) {
      const error = await rejection(attempt);
      expect(error.code).toBe('INVALID_KEY');
      expect(error.cause).toBe(failure);
    }
    expect(backend.log).toEqual([]);
    await map.close();
  });

  it("passes a key codec's own StowageError through unchanged", async () => {
    const own = new StowageError('INVALID_ARGUMENT', 'ids must be short', { origin: '@example/keys' });
    const map = await PersistentMap.open(new MapBackend(), {
      cache,
      sweepInterval: 0,
      keyCodec: objectKeys({ encode: own }),
    });
    expect(await rejection(map.set({ id: 'a' }, 1))).toBe(own);
    expect(await rejection(map.get({ id: 'a' }))).toBe(own);
    await map.close();
  });

  it('refuses a key codec that returns something other than a string with INVALID_KEY', async () => {
    for (const encodeTo of [42, null, { id: 'a' }]) {
      const backend = new MapBackend();
      const map = await PersistentMap.open(backend, { cache, sweepInterval: 0, keyCodec: objectKeys({ encodeTo }) });
      expect((await rejection(map.set({ id: 'a' }, 1))).code).toBe('INVALID_KEY');
      expect((await rejection(map.get({ id: 'a' }))).code).toBe('INVALID_KEY');
      expect(backend.log).toEqual([]);
      await map.close();
    }
  });

  it('reports a stored key the key codec cannot decode as DECODE_FAILED naming the key', async () => {
    const failure = new Error('not an id');
    const data = new Map<string, EncodedValue>([['n:bad', '1']]);
    const keyCodec = objectKeys({});
    const map = await PersistentMap.open(new MapBackend({ data }), { cache, sweepInterval: 0, keyCodec });
    const ns = map.namespace('n:');
    expect(await collect(ns.keys())).toEqual([{ id: 'bad' }]);
    const broken = await PersistentMap.open(new MapBackend({ data }), {
      cache,
      sweepInterval: 0,
      keyCodec: objectKeys({ decode: failure }),
    });
    const error = await rejection(collect(broken.namespace('n:').keys()));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.key).toBe('n:bad');
    expect(error.cause).toBe(failure);
    await map.close();
    await broken.close();
  });

  it('refuses undefined with ENCODE_FAILED naming the key, even where the codec could store it', async () => {
    for (const codec of [jsonCodec, structuredCodec] as Codec<unknown>[]) {
      const backend = new MapBackend();
      const map = await PersistentMap.open(backend, { cache, sweepInterval: 0, codec });
      const error = await rejection(map.set('k', undefined));
      expect(error.code).toBe('ENCODE_FAILED');
      expect(error.key).toBe('k');
      expect(backend.log).toEqual([]);
      expect(await map.has('k')).toBe(false);
      await map.close();
    }
  });

  it('turns a value codec that throws into ENCODE_FAILED naming the key and carrying its error', async () => {
    const failure = new Error('cannot encode this');
    const codec: Codec<unknown> = {
      name: 'picky',
      encode: () => {
        throw failure;
      },
      decode: (data) => data,
    };
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { cache, sweepInterval: 0, codec });
    const error = await rejection(map.set('k', 'v'));
    expect(error.code).toBe('ENCODE_FAILED');
    expect(error.key).toBe('k');
    expect(error.cause).toBe(failure);
    expect(backend.log).toEqual([]);
    await map.close();
  });

  it('refuses a value codec that returns neither a string nor bytes with ENCODE_FAILED naming the key', async () => {
    const codec: Codec<unknown> = { name: 'numeric', encode: () => 42 as unknown as string, decode: (data) => data };
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { cache, sweepInterval: 0, codec });
    const error = await rejection(map.set('k', 'v'));
    expect(error.code).toBe('ENCODE_FAILED');
    expect(error.key).toBe('k');
    expect(backend.log).toEqual([]);
    await map.close();
  });

  it('reports a codec that cannot read back what it wrote as DECODE_FAILED carrying its error', async () => {
    const failure = new Error('write-only codec');
    const codec: Codec<unknown> = {
      name: 'write-only',
      encode: (value) => JSON.stringify(value),
      decode: () => {
        throw failure;
      },
    };
    const map = await PersistentMap.open(new MapBackend(), { cache, sweepInterval: 0, codec });
    await map.set('k', { a: 1 });
    const error = await rejection(map.get('k'));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.cause).toBe(failure);
    await map.close();
  });

  it('gives primitives back in the same process as a custom codec decodes them after a restart', async () => {
    // Stores numbers as whole cents: what comes back is rounded, and so must the cached value be.
    const cents: Codec<number | string> = {
      name: 'cents',
      encode: (value) => (typeof value === 'number' ? String(Math.round(value * 100)) : `s${value}`),
      decode: (data) => {
        const text = String(data);
        return text.startsWith('s') ? text.slice(1).toUpperCase() : Number(text) / 100;
      },
    };
    const data = new Map<string, EncodedValue>();
    const map = await PersistentMap.open(new MapBackend({ data }), { cache, sweepInterval: 0, codec: cents });
    await map.set('n', 1.234);
    await map.set('s', 'abc');
    const before = await map.getMany(['n', 's']);
    await map.close();
    const again = await PersistentMap.open(new MapBackend({ data }), { cache, sweepInterval: 0, codec: cents });
    const after = await again.getMany(['n', 's']);
    expect(after).toEqual([1.23, 'ABC']);
    expect(before).toEqual(after);
    await again.close();
  });

  it('reads back the strings, booleans, null and numbers a built-in codec wrote without decoding them', async () => {
    for (const codec of [jsonCodec, structuredCodec] as Codec<unknown>[]) {
      const decode = vi.spyOn(codec, 'decode');
      const map = await PersistentMap.open(new MapBackend(), { cache, sweepInterval: 0, codec });
      const primitives: [string, unknown][] = [
        ['s', 'text'],
        ['t', true],
        ['f', false],
        ['z', null],
        ['n', 1.5],
      ];
      await map.setMany(primitives);
      expect(await map.getMany(primitives.map(([key]) => key))).toEqual(primitives.map(([, value]) => value));
      expect(decode).not.toHaveBeenCalled();
      await map.set('o', { a: 1 });
      expect(await map.get('o')).toEqual({ a: 1 });
      expect(decode).toHaveBeenCalledTimes(1);
      await map.close();
      decode.mockRestore();
    }
  });

  it('gives a top-level -0 back as 0 with JSON, as a read after a restart does', async () => {
    const data = new Map<string, EncodedValue>();
    const map = await PersistentMap.open(new MapBackend({ data }), { cache, sweepInterval: 0 });
    await map.set('z', -0);
    expect(Object.is(await map.get('z'), 0)).toBe(true);
    expect(Object.is(await map.update('u', () => -0), 0)).toBe(true);
    await map.close();
    const exact = await PersistentMap.open(new MapBackend(), { cache, sweepInterval: 0, codec: structuredCodec });
    await exact.set('z', -0);
    await exact.set('nan', Number.NaN);
    expect(Object.is(await exact.get('z'), -0)).toBe(true);
    expect(await exact.get('nan')).toBeNaN();
    await exact.close();
  });
});

describe('close', () => {
  it('waits for a sweep in flight, which still deletes what had expired', async () => {
    const backend = new MapBackend({ supports: { orderedIteration: true } });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 }, sweepInterval: 0 });
    await map.set('old', 'v', { ttl: 1 });
    await map.set('kept', 'v');
    await sleep(5);
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    backend.hold = (operation) => (operation === 'entries' ? gate : undefined);
    const swept = map.sweep();
    await settle();
    const closed = map.close();
    release();
    expect(await swept).toBe(1);
    await closed;
    expect([...backend.data.keys()]).toEqual(['kept']);
  });

  it('waits on close for a transaction in flight, which commits before the backend closes', async () => {
    const backend = new TransactionalBackend();
    const map = await PersistentMap.open(backend, { sweepInterval: 0 });
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = (): void => {};
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const running = map.transaction(async (tx) => {
      entered();
      await gate;
      await tx.set('t', 1);
      return 'committed';
    });
    await inside;
    const order: string[] = [];
    const closed = map.close().then(() => order.push('closed'));
    const committed = running.then((result) => order.push(result));
    release();
    await Promise.all([closed, committed]);
    expect(order).toEqual(['committed', 'closed']);
    expect(backend.commits).toBe(1);
    expect(backend.data.get('t')).toBe('1');
  });
});
