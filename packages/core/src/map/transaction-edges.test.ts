import { describe, expect, it } from 'vitest';
import type { BackendSupports, BackendTransaction, StorageBackend } from '../contract/storage-backend.js';
import { codeOf, MapBackend, TransactionalBackend } from '../test-backends.fixture.js';
import type { MapTransaction } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

/**
 * A backend as a plain object over `inner`: `supports` as given, and a transaction whose
 * view has only get, set and delete (no getWithExpiry), or no transaction at all.
 */
function plain(
  inner: TransactionalBackend,
  supports: Partial<BackendSupports>,
  withTransaction = true,
): StorageBackend {
  return {
    name: 'plain',
    supports: { ...inner.supports, ...supports },
    open: () => inner.open(),
    close: () => inner.close(),
    get: (key) => inner.get(key),
    set: (key, value, options) => inner.set(key, value, options),
    delete: (key) => inner.delete(key),
    entries: (range) => inner.entries(range),
    getWithExpiry: (key) => inner.getWithExpiry(key),
    entriesWithExpiry: (range) => inner.entriesWithExpiry(range),
    ...(withTransaction
      ? {
          transaction: <T>(body: (tx: BackendTransaction) => Promise<T>) =>
            inner.transaction((tx) =>
              body({
                get: (key) => tx.get(key),
                set: (key, value, options) => tx.set(key, value, options),
                delete: (key) => tx.delete(key),
              }),
            ),
        }
      : {}),
  } as StorageBackend;
}

describe('map transactions: edges', () => {
  it('refuses with NOT_SUPPORTED, running nothing, where the backend has no transaction', async () => {
    let runs = 0;
    const body = async () => {
      runs++;
    };
    for (const backend of [new MapBackend(), plain(new TransactionalBackend(), { transactions: true }, false)]) {
      const map = await PersistentMap.open(backend, { sweepInterval: 0 });
      expect(await codeOf(map.transaction(body))).toBe('NOT_SUPPORTED');
      await map.close();
    }
    expect(runs).toBe(0);
  });

  it('refuses a view kept past its transaction with INVALID_ARGUMENT, even where the engine would take it', async () => {
    // The engine's view here writes straight through and never refuses a late call.
    const inner = new TransactionalBackend();
    const lenient: StorageBackend = {
      ...plain(inner, { transactions: true }, false),
      transaction: (body) =>
        body({
          get: (key) => inner.get(key),
          set: (key, value, options) => inner.set(key, value, options),
          delete: (key) => inner.delete(key),
        }),
    };
    const map = await PersistentMap.open(lenient, { sweepInterval: 0 });
    let kept: MapTransaction<string, unknown> | undefined;
    await map.transaction(async (tx) => {
      kept = tx;
    });
    expect(await codeOf(kept!.get('k'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(kept!.set('k', 1))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(kept!.delete('k'))).toBe('INVALID_ARGUMENT');
    expect(await map.get('k')).toBeUndefined();
    expect(inner.data.has('k')).toBe(false);
    await map.close();
  });

  it('counts its reads and one backend write per committed transaction in stats', async () => {
    const map = await PersistentMap.open(new TransactionalBackend(), { sweepInterval: 0 });
    await map.set('a', 1);
    const before = map.stats();
    await map.transaction(async (tx) => {
      await tx.get('a');
      await tx.get('b');
    });
    const afterReads = map.stats();
    expect(afterReads.backendReads - before.backendReads).toBe(2);
    expect(afterReads.backendWrites - before.backendWrites).toBe(0);
    await map.transaction(async (tx) => {
      await tx.set('b', 2);
      await tx.set('c', 3);
    });
    expect(map.stats().backendWrites - afterReads.backendWrites).toBe(1);
    await map.close();
  });

  it('tells from delete whether the key was present', async () => {
    const map = await PersistentMap.open(new TransactionalBackend(), { sweepInterval: 0 });
    await map.set('a', 1);
    const answers = await map.transaction(async (tx) => [
      await tx.delete('a'),
      await tx.delete('a'),
      await tx.delete('x'),
    ]);
    expect(answers).toEqual([true, false, false]);
    expect(await map.has('a')).toBe(false);
    await map.close();
  });

  it('refuses with NOT_SUPPORTED a read where the backend keeps expiries but its view cannot read them', async () => {
    const inner = new TransactionalBackend({ supports: { storesExpiry: true, nativeTtl: true } });
    const map = await PersistentMap.open(plain(inner, {}), { sweepInterval: 0 });
    await map.set('a', 1);
    expect(await codeOf(map.transaction(async (tx) => tx.get('a')))).toBe('NOT_SUPPORTED');
    await map.close();
  });
});
