/**
 * `map.transaction(body)` over a backend with `supports.transactions`. The body reads and
 * writes through the backend's transaction (its snapshot and its own writes). When the body
 * is done, still inside the backend transaction, the map takes the write queues of every
 * key written, so no plain write to them can land between the commit and the cache update;
 * after the commit it shows all of the transaction's writes in the cache in one step, and
 * nothing of a transaction that failed.
 *
 * This needs the backend's transactions to be optimistic (plain writes are not blocked
 * while a body runs), as the contract says: the map waits for plain writes already queued
 * on those keys before the commit.
 */
import { StowageError } from '../contract/errors.js';
import { writeOptions } from '../contract/fallbacks.js';
import type { BackendTransaction, ExpiringValue } from '../contract/storage-backend.js';
import type { MapTransaction, SetOptions } from './map-api.js';
import type { StoredEntry } from './map-cache.js';
import { isLive, type MapStore, ORIGIN, type PreparedSet } from './map-store.js';

/** How the map turns its user's keys and values into backend ones. */
export interface TransactionAdapter<K, V> {
  storeKey(key: K): string;
  prepare(key: string, value: V, options: SetOptions | undefined): PreparedSet<V>;
}

export async function runTransaction<K, V, T>(
  store: MapStore<V>,
  adapter: TransactionAdapter<K, V>,
  body: (tx: MapTransaction<K, V>) => Promise<T>,
): Promise<T> {
  const { backend } = store;
  if (!backend.supports.transactions || typeof backend.transaction !== 'function') {
    // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
    throw new StowageError('NOT_SUPPORTED', `the ${backend.name} backend does not offer transactions`, {
      origin: ORIGIN,
    });
  }
  let writes = new Map<string, StoredEntry<V>>();
  let release = (): void => {};
  try {
    const result = await backend.transaction(async (backendTx) => {
      // A backend may run the body again itself: start each run afresh.
      release();
      writes = new Map();
      const ownWrites = writes;
      let finished = false;
      const assertRunning = () => {
        if (finished) {
          // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
          throw new StowageError('INVALID_ARGUMENT', 'the transaction is over; use the map', { origin: ORIGIN });
        }
      };
      const read = async (key: string) => {
        store.counters.backendReads++;
        const found = store.keepsExpiry ? await readWithExpiry(backendTx, key) : await backendTx.get(key);
        const entry = store.readEntry(key, found);
        return isLive(entry) ? entry.value : undefined;
      };
      const tx: MapTransaction<K, V> = {
        async get(key) {
          assertRunning();
          return read(adapter.storeKey(key));
        },
        async set(key, value, options) {
          assertRunning();
          const prepared = adapter.prepare(adapter.storeKey(key), value, options);
          const expiresAt = prepared.expiresAt === Number.POSITIVE_INFINITY ? undefined : prepared.expiresAt;
          await backendTx.set(prepared.key, prepared.stored, writeOptions(expiresAt));
          ownWrites.set(prepared.key, {
            value: prepared.value,
            expiresAt: prepared.expiresAt,
            bytes: store.bytesOf(prepared.key, prepared.stored),
          });
        },
        async delete(key) {
          assertRunning();
          const storeKey = adapter.storeKey(key);
          const present = (await read(storeKey)) !== undefined;
          await backendTx.delete(storeKey);
          ownWrites.set(storeKey, store.absent(storeKey));
          return present;
        },
      };
      const value = await body(tx);
      finished = true;
      if (ownWrites.size > 0) await holdKeys(store, [...ownWrites.keys()], (releaser) => (release = releaser));
      return value;
    });
    if (writes.size > 0) store.counters.backendWrites++;
    for (const [key, entry] of writes) store.commit(key, entry);
    return result;
  } finally {
    release();
  }
}

/** A read of the transaction's view with the expiry the backend keeps (storesExpiry). */
function readWithExpiry(tx: BackendTransaction, key: string): Promise<ExpiringValue | undefined> {
  if (typeof tx.getWithExpiry !== 'function') {
    // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
    throw new StowageError('NOT_SUPPORTED', 'the backend keeps expiries but its transaction view cannot read them', {
      origin: ORIGIN,
    });
  }
  return tx.getWithExpiry(key);
}

/** Resolves once the map holds the write queues of `keys`; they stay held until the releaser is called. */
function holdKeys<V>(store: MapStore<V>, keys: string[], onHeld: (release: () => void) => void): Promise<void> {
  return new Promise<void>((held) => {
    void store.writeMany(keys, () => {
      const released = new Promise<void>((resolve) => onHeld(resolve));
      held();
      return released;
    });
  });
}
