/**
 * Which backend call a read through the LRU cache costs: a batch that misses one key reads
 * it with `get` (an engine's fastest read), several missing keys share one `getMany`;
 * concurrent misses of a key share the read in flight, and a refused key reads nothing.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, latch, MapBackend, settle } from '../test-backends.fixture.js';
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

describe('misses of one key share the read in flight (lru cache)', () => {
  it('shares the newest read of a key, even after an older read of it that a write overtook finishes', async () => {
    const backend = new MapBackend();
    backend.data.set('a', '"old"');
    backend.data.set('b', '"b"');
    const map = await PersistentMap.open<string, string>(backend, { cache: { mode: 'lru', maxEntries: 1 } });
    const gets: (() => void)[] = [];
    backend.hold = (operation) => {
      if (operation !== 'get') return undefined;
      const gate = latch();
      gets.push(gate.release);
      return gate.promise;
    };
    const overtaken = map.get('a'); // read 1, held
    await settle();
    await map.set('a', 'new'); // overtakes read 1
    const other = map.get('b'); // read 2; caching b evicts a
    await settle();
    gets[1]!();
    expect(await other).toBe('b');
    const newer = map.get('a'); // read 3, held
    await settle();
    gets[0]!(); // read 1 finishes while read 3 is in flight
    expect(await overtaken).toBe('new');
    const sharing = map.get('a'); // must share read 3, not start a fourth
    await settle();
    expect(backend.calls.get).toBe(3);
    gets[2]!();
    expect(await Promise.all([newer, sharing])).toEqual(['new', 'new']);
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
