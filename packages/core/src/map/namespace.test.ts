import { describe, expect, it } from 'vitest';
import { codeOf, collect, MapBackend } from '../test-backends.fixture.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const modes: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 2 }],
];

describe.each(modes)('namespaces (%s cache)', (_, cache) => {
  const open = async () => {
    const backend = new MapBackend({ supports: { orderedIteration: true } });
    const map = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
    await map.setMany([
      ['outside', 0],
      ['users:ann', 1],
      ['users:bob', 2],
      ['users:admins:root', 3],
      ['usersX', 4],
    ]);
    return { backend, map };
  };

  it('reads and writes only under its prefix', async () => {
    const { backend, map } = await open();
    const users = map.namespace('users:');
    expect(await users.get('ann')).toBe(1);
    expect(await users.get('outside')).toBeUndefined();
    await users.set('cid', 5);
    expect(backend.data.get('users:cid')).toBe('5');
    expect(await map.get('users:cid')).toBe(5);
    expect(await users.size()).toBe(4);
    expect(await collect(users.keys())).toEqual(['admins:root', 'ann', 'bob', 'cid']);
    expect(await collect(users.entries({ gt: 'ann', limit: 1 }))).toEqual([['bob', 2]]);
    expect(await users.getMany(['ann', 'zed'])).toEqual([1, undefined]);
    expect(await users.deleteMany(['bob', 'outside'])).toBe(1);
    expect(await map.get('outside')).toBe(0);
    await map.close();
  });

  it('clears only its own keys, and nested namespaces compose', async () => {
    const { backend, map } = await open();
    const admins = map.namespace('users:').namespace('admins:');
    expect(await collect(admins)).toEqual([['root', 3]]);
    await admins.clear();
    expect(await map.get('users:admins:root')).toBeUndefined();
    expect(await map.size()).toBe(4);
    await map.namespace('users:').clear();
    expect(await collect(map.keys())).toEqual(['outside', 'usersX']);
    expect([...backend.data.keys()].sort()).toEqual(['outside', 'usersX']);
    await map.close();
  });

  it('shares the cache, the write order and the lifecycle with its map', async () => {
    const { map } = await open();
    const users = map.namespace('users:');
    await Promise.all([
      users.update('n', (n) => ((n as number) ?? 0) + 1),
      map.update('users:n', (n) => (n as number) + 1),
    ]);
    expect(await users.get('n')).toBe(2);
    expect(users.stats()).toEqual(map.stats());
    expect(users.backend).toBe(map.backend);
    await users.close();
    expect(await codeOf(map.get('outside'))).toBe('STORE_CLOSED');
  });

  it('refuses a prefix that is not a string', async () => {
    const { map } = await open();
    expect(() => map.namespace(5 as unknown as string)).toThrow(/prefix/);
    await map.close();
  });
});
