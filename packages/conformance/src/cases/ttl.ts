/**
 * TTL: through the map on every backend (core keeps the expiry in the value), and the
 * native sweep of backends that declare `nativeTtl`. Cases wait past deadlines but never
 * assert how long anything took.
 */
import { expect } from 'vitest';
import { expectValue } from '../assertions.js';
import { collect } from '../subject.js';
import { type KitCase, mapModes } from '../types.js';
import { canReopen } from './persistence.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds, failing after `deadline` ms with `what`. */
async function eventually(condition: () => Promise<boolean>, what: string, deadline = 15_000): Promise<void> {
  const end = Date.now() + deadline;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${deadline} ms`);
    await sleep(20);
  }
}

async function rawKeys(backend: { entries(): AsyncIterable<[string, unknown]> }): Promise<string[]> {
  return (await collect(backend.entries())).map(([key]) => key).sort();
}

export const ttlCases: KitCase[] = [
  {
    name: 'an entry set with a ttl is visible until it expires, then invisible to every read at once',
    modes: mapModes,
    async run(context) {
      const store = await context.open();
      const map = store.map!;
      await map.set('short', 'brief', { ttl: 40 });
      await map.set('long', 'lasting', { ttl: 60_000 });
      await map.set('forever', 'always');
      expectValue(await map.get('long'), 'lasting', 'an entry within its ttl');
      await sleep(100);
      expect(await map.get('short'), 'get after expiry').toBeUndefined();
      expect(await map.has('short'), 'has after expiry').toBe(false);
      expect(await map.getMany(['short', 'long']), 'getMany after expiry').toEqual([undefined, 'lasting']);
      expect((await collect(map.keys())).sort(), 'keys after expiry').toEqual(['forever', 'long']);
      expect(await map.size(), 'size after expiry').toBe(2);
      expect(await map.delete('short'), 'delete of an expired entry').toBe(false);
    },
  },
  {
    name: 'ttl() tells the time left, Infinity without a ttl and undefined when absent or expired',
    modes: mapModes,
    async run(context) {
      const map = (await context.open()).map!;
      await map.set('timed', 'v', { ttl: 60_000 });
      await map.set('plain', 'v');
      await map.set('brief', 'v', { ttl: 20 });
      const left = await map.ttl('timed');
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(60_000);
      expect(await map.ttl('plain')).toBe(Number.POSITIVE_INFINITY);
      expect(await map.ttl('absent')).toBeUndefined();
      await sleep(60);
      expect(await map.ttl('brief')).toBeUndefined();
      await map.set('timed', 'overwritten');
      expect(await map.ttl('timed'), 'a plain set clears the ttl').toBe(Number.POSITIVE_INFINITY);
    },
  },
  {
    name: 'expire gives an existing entry a ttl and persist removes it; both answer false for absent keys',
    modes: mapModes,
    async run(context) {
      const map = (await context.open()).map!;
      await map.set('a', 'v');
      await map.set('b', 'v');
      expect(await map.expire('a', 30)).toBe(true);
      // b's ttl is long, so a loaded machine cannot let it lapse before persist reaches it
      // (with 30 ms, persist('b') answered false once under load); 'a' proves a short one expires.
      expect(await map.expire('b', 60_000)).toBe(true);
      const left = await map.ttl('b');
      expect(left, 'the ttl expire gave b').toBeGreaterThan(0);
      expect(left, 'the ttl expire gave b').toBeLessThanOrEqual(60_000);
      expect(await map.persist('b')).toBe(true);
      expect(await map.ttl('b')).toBe(Number.POSITIVE_INFINITY);
      expect(await map.expire('absent', 30)).toBe(false);
      expect(await map.persist('absent')).toBe(false);
      await sleep(80);
      expect(await map.get('a'), 'expired by expire').toBeUndefined();
      expectValue(await map.get('b'), 'v', 'kept by persist');
      expect(await map.persist('a'), 'persist of an expired entry').toBe(false);
      expect(await map.expire('a', 60_000), 'expire of an expired entry').toBe(false);
    },
  },
  {
    name: 'the active sweep deletes expired entries from the backend, not only from view',
    modes: mapModes,
    async run(context) {
      const backend = await context.createBackend();
      const map = await context.openMap<string>(backend, { sweepInterval: 20 });
      await map.set('doomed', 'x', { ttl: 30 });
      await map.set('kept', 'y');
      await eventually(async () => !(await rawKeys(backend)).includes('doomed'), 'the sweep of an expired entry');
      expect(await rawKeys(backend)).toEqual(['kept']);
      // The sweep counts a deletion once the backend acknowledged it, a few ticks after the
      // key left the backend's view, so the counter is awaited too.
      await eventually(async () => map.stats().expired >= 1, 'the sweep counting what it deleted');
    },
  },
  {
    name: 'expiry survives close and reopen',
    modes: mapModes,
    gate: canReopen,
    async run(context) {
      let store = await context.open();
      await store.map!.set('short', 'x', { ttl: 50 });
      await store.map!.set('long', 'y', { ttl: 60_000 });
      await store.map!.set('persisted', 'z', { ttl: 60_000 });
      await store.map!.persist('persisted');
      await sleep(100);
      store = await context.reopen(store);
      const map = store.map!;
      expect(await map.get('short'), 'an entry that expired while closed').toBeUndefined();
      expectValue(await map.get('long'), 'y', 'an entry within its ttl');
      const left = await map.ttl('long');
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(60_000);
      expect(await map.ttl('persisted')).toBe(Number.POSITIVE_INFINITY);
    },
  },
  {
    name: 'sweepExpired deletes exactly the entries whose expiresAt has passed',
    modes: ['raw'],
    gate: (supports) => supports.nativeTtl,
    async run(context) {
      const backend = (await context.open()).backend;
      const now = Date.now();
      await backend.set('past', 'a', { expiresAt: now - 1000 });
      await backend.set('future', 'b', { expiresAt: now + 3_600_000 });
      await backend.set('never', 'c');
      await backend.set('cleared', 'd', { expiresAt: now - 1000 });
      await backend.set('cleared', 'd2'); // a later write without expiry ends the old one
      if (backend.apply) await backend.apply([{ type: 'set', key: 'batched', value: 'e', expiresAt: now - 1 }]);
      else await backend.set('batched', 'e', { expiresAt: now - 1 });
      expect(await backend.sweepExpired!(now)).toBe(2);
      expect(await rawKeys(backend)).toEqual(['cleared', 'future', 'never']);
      expect(await backend.sweepExpired!(now)).toBe(0);
      expect(await backend.sweepExpired!(now + 3_600_000)).toBe(1);
      expect(await rawKeys(backend)).toEqual(['cleared', 'never']);
    },
  },
  {
    name: 'getWithExpiry and entriesWithExpiry give each value back with the expiry it was written with',
    modes: ['raw'],
    gate: (supports) => supports.storesExpiry === true,
    async run(context) {
      let subject = await context.open();
      let backend = subject.backend;
      const now = Date.now();
      await backend.set('later', 'a', { expiresAt: now + 3_600_000 });
      await backend.set('past', 'b', { expiresAt: now - 1000 }); // reported until swept: the caller decides
      await backend.set('never', 'c');
      await backend.set('ended', 'd', { expiresAt: now + 5000 });
      await backend.set('ended', 'd2'); // a write without expiry ends the old one
      if (backend.apply) await backend.apply([{ type: 'set', key: 'batched', value: 'e', expiresAt: now + 7000 }]);
      else await backend.set('batched', 'e', { expiresAt: now + 7000 });
      const expected: [string, { value: string; expiresAt: number | undefined }][] = [
        ['batched', { value: 'e', expiresAt: now + 7000 }],
        ['ended', { value: 'd2', expiresAt: undefined }],
        ['later', { value: 'a', expiresAt: now + 3_600_000 }],
        ['never', { value: 'c', expiresAt: undefined }],
        ['past', { value: 'b', expiresAt: now - 1000 }],
      ];
      const check = async (when: string) => {
        for (const [key, entry] of expected) {
          expect(await backend.getWithExpiry!(key), `getWithExpiry(${key}) ${when}`).toEqual(entry);
        }
        expect(await backend.getWithExpiry!('absent'), `an absent key ${when}`).toBeUndefined();
        const listed = (await collect(backend.entriesWithExpiry!())).sort(([a], [b]) => (a < b ? -1 : 1));
        expect(listed, `entriesWithExpiry ${when}`).toEqual(expected);
        const ranged = await collect(backend.entriesWithExpiry!({ gte: 'l', lt: 'p' }));
        expect(ranged.map(([key]) => key).sort(), `entriesWithExpiry within a range ${when}`).toEqual([
          'later',
          'never',
        ]);
      };
      await check('after the writes');
      if (canReopen(context.supports, context.kit)) {
        subject = await context.reopen(subject);
        backend = subject.backend;
        await check('after a reopen');
      }
    },
  },
  {
    name: 'through the map, a backend that keeps expiries holds the bare value and the expiry beside it',
    modes: mapModes,
    gate: (supports) => supports.storesExpiry === true,
    async run(context) {
      const store = await context.open();
      const map = store.map!;
      await map.set('plain', 'same');
      await map.set('timed', 'same', { ttl: 60_000 });
      const backend = store.backend;
      const plain = await backend.getWithExpiry!('plain');
      const timed = await backend.getWithExpiry!('timed');
      expect(plain?.expiresAt, 'no expiry on a write without ttl').toBeUndefined();
      // No envelope: the value a ttl was given is stored exactly as the same value without one.
      expect(timed?.value, 'the stored value of an entry with a ttl').toEqual(plain?.value);
      expect(timed?.expiresAt).toBeGreaterThan(Date.now());
      expect(timed?.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
      const left = await map.ttl('timed');
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(60_000);
    },
  },
  {
    name: 'inside a transaction an entry whose ttl passed is absent, swept or not',
    modes: mapModes,
    gate: (supports) => supports.transactions,
    async run(context) {
      const store = await context.open();
      const map = store.map!;
      await map.set('short', 'brief', { ttl: 40 });
      await map.set('kept', 'here');
      await sleep(100);
      const seen = await map.transaction(async (tx) => [await tx.get('short'), await tx.get('kept')]);
      expect(seen[0], 'an expired entry read in a transaction').toBeUndefined();
      expectValue(seen[1], 'here', 'a live entry read in a transaction');
    },
  },
];
