/**
 * Which backend call a read through the LRU cache costs: a batch that misses one key reads
 * it with `get` (an engine's fastest read), several missing keys share one `getMany`;
 * concurrent misses of a key share the read in flight, and a refused key reads nothing.
 */
import { describe, expect, it } from 'vitest';
import { BareBackend, codeOf, latch, MapBackend, type Operation, settle } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

describe('reads of missing keys (lru cache)', () => {
  it('reads a lone missing key of a getMany with get, and several with one getMany', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    backend.data.set('a', '1');
    backend.data.set('b', '2');
    backend.data.set('c', '3');
    expect(await map.get('a')).toBe(1);
    expect(backend.calls).toMatchObject({ get: 1, getMany: 0 });
    expect(await map.getMany(['a', 'b'])).toEqual([1, 2]);
    expect(backend.calls).toMatchObject({ get: 2, getMany: 0 });
    expect(await map.getMany(['a', 'b', 'c', 'd'])).toEqual([1, 2, 3, undefined]);
    expect(backend.calls).toMatchObject({ get: 2, getMany: 1 });
    await map.close();
  });
});

/** Holds every backend call of `operation` until the test releases it, in call order. */
function holdEach(backend: MapBackend, operation: Operation): (() => void)[] {
  const held: (() => void)[] = [];
  backend.hold = (called) => {
    if (called !== operation) return undefined;
    const gate = latch();
    held.push(gate.release);
    return gate.promise;
  };
  return held;
}

describe.each([
  ['succeeds', false],
  ['fails', true],
])('misses of one key share the read in flight (lru cache; the overtaken read %s)', (_, fails) => {
  it('shares the newest read of a key, even after an older read of it that a write overtook finishes', async () => {
    const backend = new MapBackend();
    backend.data.set('a', '"old"');
    backend.data.set('b', '"b"');
    const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxEntries: 1 } });
    const gets = holdEach(backend, 'get');
    const overtaken = codeOf(map.get('a')); // read 1, held
    await settle();
    await map.set('a', 'new'); // overtakes read 1
    const other = map.get('b'); // read 2; caching b evicts a
    await settle();
    gets[1]!();
    expect(await other).toBe('b');
    const newer = map.get('a'); // read 3, held
    await settle();
    if (fails) backend.failWith = (operation) => (operation === 'get' ? new Error('EIO') : undefined);
    gets[0]!(); // read 1 finishes while read 3 is in flight
    expect(await overtaken).toBe(fails ? 'IO' : undefined);
    backend.failWith = undefined;
    const sharing = map.get('a'); // must share read 3, not start a fourth
    await settle();
    expect(backend.calls.get).toBe(3);
    gets[2]!();
    expect(await Promise.all([newer, sharing])).toEqual(['new', 'new']);
    await map.close();
  });
});

describe('reads in flight shared by getMany (lru cache)', () => {
  it('reads only the keys no read in flight covers, and nothing when every key is covered', async () => {
    const backend = new MapBackend();
    backend.data.set('a', '1');
    backend.data.set('b', '2');
    const map = await PersistentMap.open<string, number>(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    const gets = holdEach(backend, 'get');
    const first = map.get('a'); // held
    await settle();
    const covered = map.getMany(['a']);
    const partly = map.getMany(['a', 'b']); // b alone is read, with get
    await settle();
    expect(backend.calls).toMatchObject({ get: 2, getMany: 0 });
    expect(map.stats().backendReads).toBe(2);
    for (const release of gets) release();
    expect(await Promise.all([first, covered, partly])).toEqual([1, [1], [1, 2]]);
    await map.close();
  });

  it('shares the newest read of a key after an older getMany of it that a write overtook finishes', async () => {
    const backend = new MapBackend();
    backend.data.set('a', '"old"');
    backend.data.set('b', '"b"');
    const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxEntries: 1 } });
    const batches = holdEach(backend, 'getMany');
    const overtaken = map.getMany(['a', 'c']); // read 1, one getMany, held
    await settle();
    await map.set('a', 'new');
    backend.hold = undefined;
    expect(await map.get('b')).toBe('b'); // evicts a
    const gets = holdEach(backend, 'get');
    const newer = map.get('a'); // held
    await settle();
    batches[0]!();
    expect(await overtaken).toEqual(['new', undefined]);
    const sharing = map.get('a');
    await settle();
    expect(backend.calls.get).toBe(2);
    gets[0]!();
    expect(await Promise.all([newer, sharing])).toEqual(['new', 'new']);
    await map.close();
  });
});

describe('a full cache never reads the backend', () => {
  it('answers absent keys of delete, update, has and deleteMany from the cache', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open<string, number>(backend, { sweepInterval: 0 });
    expect(await map.delete('x')).toBe(false);
    expect(await map.update('y', (current) => (current ?? 0) + 1)).toBe(1);
    expect(await map.has('z')).toBe(false);
    expect(await map.deleteMany(['p', 'q', 'y'])).toBe(1);
    expect(backend.calls).toMatchObject({ get: 0, getMany: 0 });
    expect(map.stats().backendReads).toBe(1); // the scan at open
    await map.close();
  });
});

describe('a failed backend read', () => {
  it('rejects with IO from @stowage/core, carrying the error of a backend outside AbstractBackend as its cause', async () => {
    const cause = new Error('EIO: bad sector');
    const backend = new BareBackend();
    backend.get = () => Promise.reject(cause);
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    const error = await map.get('a').then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: 'IO', origin: '@stowage/core', cause });
    await map.close();
  });
});

describe('a key the map refuses', () => {
  it('is refused with INVALID_KEY before any backend read, as neither a miss nor a backend error', async () => {
    const backend = new MapBackend({ supports: { maxKeyBytes: 4 } });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    expect(await codeOf(map.get('too long'))).toBe('INVALID_KEY');
    expect(backend.calls.get).toBe(0);
    expect(map.stats()).toMatchObject({ misses: 0, backendReads: 0, errors: 0 });
    await map.close();
  });
});
