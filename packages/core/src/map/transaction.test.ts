import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import { withRetry } from '../contract/retry.js';
import type { EncodedValue } from '../contract/storage-backend.js';
import {
  codeOf,
  latch,
  MapBackend,
  seededRandom,
  settle,
  sleep,
  TransactionalBackend,
} from '../test-backends.fixture.js';
import type { CacheOptions, MapTransaction } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const modes: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 2 }],
];

describe.each(modes)('transactions (%s cache)', (_, cache) => {
  it('commits every write at once, reading its own writes inside', async () => {
    const backend = new TransactionalBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.set('from', 10);
    const result = await map.transaction(async (tx) => {
      const from = (await tx.get('from')) ?? 0;
      await tx.set('from', from - 3);
      await tx.set('to', 3);
      expect(await tx.get('to')).toBe(3);
      expect(await tx.delete('missing')).toBe(false);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await map.getMany(['from', 'to'])).toEqual([7, 3]);
    expect(backend.data.get('from')).toBe('7');
    expect(backend.commits).toBe(1);
    await map.close();
  });

  it('shows nothing of a transaction whose body throws or whose commit fails', async () => {
    const backend = new TransactionalBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.set('a', 1);
    await expect(
      map.transaction(async (tx) => {
        await tx.set('a', 2);
        await tx.set('b', 2);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    backend.failWith = (operation) => (operation === 'apply' ? new Error('EIO at commit') : undefined);
    await expect(map.transaction(async (tx) => tx.set('a', 3))).rejects.toThrow('EIO at commit');
    backend.failWith = undefined;
    expect(await map.getMany(['a', 'b'])).toEqual([1, undefined]);
    expect([...backend.data.keys()]).toEqual(['a']);
    await map.close();
  });

  it('fails with CONFLICT when a key it read changed, and succeeds when retried', async () => {
    const backend = new TransactionalBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.set('n', 0);
    const increment = async (tx: MapTransaction<string, number>) => {
      const n = (await tx.get('n')) ?? 0;
      await sleep(2);
      await tx.set('n', n + 1);
    };
    const plain = await Promise.allSettled([map.transaction(increment), map.transaction(increment)]);
    expect(plain.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = plain.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(StowageError.is(rejected.reason, 'CONFLICT')).toBe(true);
    expect(await map.get('n')).toBe(1);
    await Promise.all(Array.from({ length: 5 }, () => map.transaction(increment, { retries: 20 })));
    expect(await map.get('n')).toBe(6);
    expect(backend.data.get('n')).toBe('6');
    await map.close();
  });

  it('keeps cache and backend equal when plain writes race transactions on the same keys', async () => {
    const random = seededRandom(5);
    const data = new Map<string, EncodedValue>();
    const backend = new TransactionalBackend({ data, delay: () => (random() < 0.5 ? 0 : random() * 3) });
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    const work: Promise<unknown>[] = [];
    for (let round = 0; round < 30; round++) {
      work.push(
        map
          .transaction(async (tx) => {
            await tx.set('a', round);
            await tx.set('b', round);
          })
          .catch((error: unknown) => {
            if (!StowageError.is(error, 'CONFLICT')) throw error;
          }),
      );
      const key = random() < 0.5 ? 'a' : 'b';
      work.push(sleep(random() * 4).then(() => map.set(key, 1000 + round)));
    }
    await Promise.all(work);
    for (const key of ['a', 'b']) {
      const stored = data.get(key);
      expect(await map.get(key)).toBe(stored === undefined ? undefined : Number(stored));
    }
    await map.close();
  });

  it('lets a plain write that lands after the commit win in the cache too', async () => {
    const backend = new TransactionalBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    const committed = latch();
    const resume = latch();
    backend.afterCommit = async () => {
      committed.release();
      await resume.promise;
    };
    const transaction = map.transaction(async (tx) => tx.set('a', 1));
    await committed.promise;
    const plain = map.set('a', 2); // called after the backend committed: it must land later
    await settle();
    resume.release();
    await Promise.all([transaction, plain]);
    expect(backend.data.get('a')).toBe('2');
    expect(await map.get('a')).toBe(2);
    await map.close();
  });

  it('works in a namespace and carries TTLs', async () => {
    const backend = new TransactionalBackend();
    const map = await PersistentMap.open<string, number>(backend, { cache, sweepInterval: 0 });
    await map.namespace('ns:').transaction(async (tx) => {
      await tx.set('a', 1, { ttl: 60_000 });
    });
    expect(await map.get('ns:a')).toBe(1);
    expect(backend.expiries.has('ns:a')).toBe(true);
    const ttl = await map.ttl('ns:a');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await map.close();
  });

  it('refuses the view after the body is over, and bad input inside the body', async () => {
    const backend = new TransactionalBackend();
    const map = await PersistentMap.open<string, unknown>(backend, { cache, sweepInterval: 0 });
    let leaked: MapTransaction<string, unknown> | undefined;
    await map.transaction(async (tx) => {
      leaked = tx;
      expect(await codeOf(tx.set('\ud800', 1))).toBe('INVALID_KEY');
      expect(await codeOf(tx.set('k', 1n))).toBe('ENCODE_FAILED');
    });
    expect(await codeOf(leaked!.get('k'))).toBe('INVALID_ARGUMENT');
    expect(backend.data.size).toBe(0);
    await map.close();
  });
});

describe('transactions on a backend without them', () => {
  it('fail with NOT_SUPPORTED', async () => {
    const map = await PersistentMap.open(new MapBackend());
    expect(await codeOf(map.transaction(async () => 1))).toBe('NOT_SUPPORTED');
    await map.close();
  });
});

describe('withRetry', () => {
  it('retries only CONFLICT, at most `retries` times', async () => {
    let calls = 0;
    const conflict = () => new StowageError('CONFLICT', 'lost');
    await expect(
      withRetry(
        async () => {
          calls++;
          throw conflict();
        },
        { retries: 2 },
      ),
    ).rejects.toThrow('lost');
    expect(calls).toBe(3);
    calls = 0;
    expect(
      await withRetry(async () => {
        if (++calls < 3) throw conflict();
        return 'won';
      }),
    ).toBe('won');
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new StowageError('IO', 'disk');
      }),
    ).rejects.toThrow('disk');
    expect(calls).toBe(1);
  });
});
