import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EncodedValue } from '../contract/storage-backend.js';
import { latch, MapBackend, seededRandom, settle } from '../test-backends.fixture.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const modes: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 2 }],
];

const commands = fc.array(
  fc.oneof(
    fc.record({ key: fc.constantFrom('a', 'b', 'c'), op: fc.constant('set' as const), value: fc.integer() }),
    fc.record({ key: fc.constantFrom('a', 'b', 'c'), op: fc.constant('delete' as const) }),
    fc.record({ key: fc.constantFrom('a', 'b', 'c'), op: fc.constant('add' as const) }),
  ),
  { minLength: 1, maxLength: 40 },
);

describe.each(modes)('concurrent writes (%s cache)', (_, cache) => {
  it('reach cache and backend in call order per key, whatever the backend delays', async () => {
    await fc.assert(
      fc.asyncProperty(commands, fc.integer(), async (script, seed) => {
        const random = seededRandom(seed);
        const data = new Map<string, EncodedValue>();
        const backend = new MapBackend({ data, delay: () => (random() < 0.5 ? 0 : 1 + random() * 2) });
        const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
        const model = new Map<string, number>();
        const expectedLog = new Map<string, (number | undefined)[]>();
        const pending: Promise<unknown>[] = [];
        for (const command of script) {
          const log = expectedLog.get(command.key) ?? [];
          expectedLog.set(command.key, log);
          if (command.op === 'set') {
            model.set(command.key, command.value);
            log.push(command.value);
            pending.push(map.set(command.key, command.value));
          } else if (command.op === 'delete') {
            model.delete(command.key);
            log.push(undefined);
            pending.push(map.delete(command.key));
          } else {
            const next = (model.get(command.key) ?? 0) + 1;
            model.set(command.key, next);
            log.push(next);
            pending.push(map.update(command.key, (current) => (current ?? 0) + 1));
          }
        }
        await Promise.all(pending);
        for (const key of ['a', 'b', 'c']) {
          expect(await map.get(key)).toBe(model.get(key));
          const stored = data.get(key);
          expect(stored === undefined ? undefined : Number(stored)).toBe(model.get(key));
          const arrived = backend.log.filter(([logged]) => logged === key).map(([, value]) => value && Number(value));
          expect(arrived).toEqual(expectedLog.get(key) ?? []);
        }
        await map.close();
      }),
      { numRuns: 25 },
    );
  });

  it('runs writes to different keys concurrently and writes to one key one after another', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { cache });
    const gate = latch();
    backend.hold = (operation) => (operation === 'set' || operation === 'apply' ? gate.promise : undefined);
    const writes = [map.set('a', 1), map.set('b', 1), map.set('a', 2), map.set('c', 1)];
    await settle();
    // a, b and c are in the backend at once (a alone, b and c in the tick's batch); the second a waits
    expect([backend.calls.set, backend.calls.apply]).toEqual([1, 1]);
    expect(backend.log).toEqual([]);
    gate.release();
    await Promise.all(writes);
    expect(backend.log.map(([key]) => key)).toEqual(['a', 'b', 'c', 'a']);
    expect(await map.get('a')).toBe(2);
    await map.close();
  });

  it('shows a write only after the backend took it, and a read after an awaited write sees it', async () => {
    const backend = new MapBackend();
    const map = await PersistentMap.open(backend, { cache });
    await map.set('a', 1);
    const gate = latch();
    backend.hold = () => gate.promise;
    const write = map.set('a', 2);
    await settle();
    expect(await map.get('a')).toBe(1);
    gate.release();
    await write;
    expect(await map.get('a')).toBe(2);
    await map.close();
  });

  it('leaves cache and backend at the last successful write when one in the middle fails', async () => {
    const backend = new MapBackend({ delay: () => 1 });
    const map = await PersistentMap.open<string, number>(backend, { cache });
    let sets = 0;
    backend.failWith = (operation) => (operation === 'set' && ++sets === 2 ? new Error('EIO') : undefined);
    const results = await Promise.allSettled([map.set('a', 1), map.set('a', 2)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect(await map.get('a')).toBe(1);
    expect(backend.data.get('a')).toBe('1');
    const after = await Promise.allSettled([map.set('a', 3), map.set('a', 4)]);
    expect(after.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await map.get('a')).toBe(4);
    await map.close();
  });

  it('counts 1,000 concurrent increments of one counter exactly, also after a reopen', async () => {
    const data = new Map<string, EncodedValue>();
    const random = seededRandom(7);
    const backend = new MapBackend({ data, delay: () => (random() < 0.05 ? 1 : 0) });
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    const increments = Array.from({ length: 1000 }, (_, index) =>
      index % 10 === 0
        ? Promise.all([map.update('counter', (n) => (n ?? 0) + 1), map.set(`other${index}`, index)])
        : map.update('counter', (n) => (n ?? 0) + 1),
    );
    await Promise.all(increments);
    expect(await map.get('counter')).toBe(1000);
    await map.close();
    const reopened = await PersistentMap.open<string, number>(new MapBackend({ data }), { cache });
    expect(await reopened.get('counter')).toBe(1000);
    await reopened.close();
  });

  it('orders clear against writes: earlier writes are cleared, later ones stay', async () => {
    const random = seededRandom(3);
    const backend = new MapBackend({ delay: () => random() * 3 });
    const map = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
    const before = [map.set('a', 1), map.set('b', 1), map.update('c', () => 1)];
    const clearing = map.clear();
    const after = [map.set('b', 2), map.set('d', 2)];
    await Promise.all([...before, clearing, ...after]);
    expect(await map.getMany(['a', 'b', 'c', 'd'])).toEqual([undefined, 2, undefined, 2]);
    expect([...backend.data.keys()].sort()).toEqual(['b', 'd']);
    await map.close();
  });

  it('keeps per-key order between setMany and single writes', async () => {
    const random = seededRandom(11);
    const backend = new MapBackend({ delay: () => random() * 3 });
    const map = await PersistentMap.open(backend, { cache });
    const writes = [
      map.set('a', 1),
      map.setMany([
        ['a', 2],
        ['b', 2],
      ]),
      map.set('a', 3),
      map.delete('b'),
    ];
    await Promise.all(writes);
    expect(await map.getMany(['a', 'b'])).toEqual([3, undefined]);
    expect(backend.log.filter(([key]) => key === 'a').map(([, value]) => value)).toEqual(['1', '2', '3']);
    expect(backend.data.has('b')).toBe(false);
    await map.close();
  });

  it('rolls a failed atomic setMany back completely', async () => {
    const backend = new MapBackend({ supports: { atomicBatch: true } });
    const map = await PersistentMap.open(backend, { cache });
    await map.set('a', 1);
    backend.failWith = (operation, key) => (operation === 'set' && key === 'b' ? new Error('EIO') : undefined);
    await expect(
      map.setMany([
        ['a', 2],
        ['b', 2],
      ]),
    ).rejects.toThrow('EIO');
    expect(await map.getMany(['a', 'b'])).toEqual([1, undefined]);
    expect(backend.data.get('a')).toBe('1');
    await map.close();
  });
});

describe('concurrent writes on a backend without apply', () => {
  it('keeps the cache equal to the backend when a setMany fails half way', async () => {
    const backend = new MapBackend();
    // Take the fast path away so the map writes key by key.
    Object.defineProperty(backend, 'apply', { value: undefined });
    const map = await PersistentMap.open(backend);
    backend.failWith = (operation, key) => (operation === 'set' && key === 'b' ? new Error('EIO') : undefined);
    await expect(
      map.setMany([
        ['a', 1],
        ['b', 1],
        ['c', 1],
      ]),
    ).rejects.toThrow('EIO');
    expect(await map.getMany(['a', 'b', 'c'])).toEqual([1, undefined, undefined]);
    expect([...backend.data.keys()]).toEqual(['a']);
    await map.close();
  });
});
