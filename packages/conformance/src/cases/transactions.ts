/**
 * Optimistic transactions (`supports.transactions`): snapshot reads, own writes, atomic
 * commit, CONFLICT on write-write and read-write races, nothing left by an abort. The
 * "outside" writes run while the body waits; an engine that blocks them until the
 * transaction ends is not optimistic, and the deadline below says so instead of hanging.
 */
import { type StorageBackend, StowageError } from '@stowage/core';
import { expect } from 'vitest';
import { expectCode, expectValue } from '../assertions.js';
import { collect } from '../subject.js';
import { type KitCase, mapModes } from '../types.js';

const transactional = (supports: { transactions: boolean }) => supports.transactions;

async function withDeadline<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was blocked by a running transaction for ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function describeThrown(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : JSON.stringify(value);
}

function transact<T>(backend: StorageBackend, body: Parameters<NonNullable<StorageBackend['transaction']>>[0]) {
  if (!backend.transaction) throw new Error('supports.transactions is true but transaction() is missing');
  return backend.transaction(body) as Promise<T>;
}

export const transactionCases: KitCase[] = [
  {
    name: 'a transaction reads the snapshot it started from, not writes committed after',
    modes: ['raw'],
    gate: transactional,
    async run(context) {
      const backend = (await context.open()).backend;
      await backend.set('a', 'a1');
      await backend.set('b', 'b1');
      const outcome = transact(backend, async (tx) => {
        expectValue(await tx.get('a'), 'a1', 'first read');
        await withDeadline(backend.set('b', 'b2'), 'a write outside');
        await withDeadline(backend.set('new', 'n'), 'a write outside');
        expectValue(await tx.get('b'), 'b1', 'a key written outside after the snapshot');
        expect(await tx.get('new'), 'a key created outside after the snapshot').toBeUndefined();
        return 'read-only';
      });
      // A read-only transaction may commit or report CONFLICT; its reads were what mattered.
      await outcome.catch((error: unknown) => {
        if (!StowageError.is(error, 'CONFLICT')) throw error;
      });
      expectValue(await backend.get('b'), 'b2', 'the outside write');
    },
  },
  {
    name: 'a transaction sees its own writes, hides them until commit, then applies all of them',
    modes: ['raw'],
    gate: transactional,
    async run(context) {
      const backend = (await context.open()).backend;
      await backend.set('doomed', 'x');
      const result = await transact<string>(backend, async (tx) => {
        await tx.set('a', 'one');
        await tx.set('b', new Uint8Array([2]));
        await tx.set('a', 'one again');
        expect(await tx.delete('doomed')).toBe(true);
        expectValue(await tx.get('a'), 'one again', 'own write');
        expect(await tx.get('doomed'), 'own delete').toBeUndefined();
        expect(
          await withDeadline(backend.get('a'), 'a read outside'),
          'uncommitted write seen outside',
        ).toBeUndefined();
        expectValue(await backend.get('doomed'), 'x', 'uncommitted delete seen outside');
        return 'done';
      });
      expect(result).toBe('done');
      expectValue(await backend.get('a'), 'one again', 'committed a');
      expectValue(await backend.get('b'), new Uint8Array([2]), 'committed b');
      expect(await backend.get('doomed')).toBeUndefined();
    },
  },
  {
    name: 'a write-write conflict rejects with CONFLICT and the transaction writes nothing',
    modes: ['raw'],
    gate: transactional,
    async run(context) {
      const backend = (await context.open()).backend;
      await expectCode(
        () =>
          transact(backend, async (tx) => {
            await tx.set('k', 'from tx');
            await tx.set('other', 'from tx');
            await withDeadline(backend.set('k', 'outside'), 'a write outside');
          }),
        'CONFLICT',
        'commit after a concurrent write to a written key',
      );
      expectValue(await backend.get('k'), 'outside', 'the winning write');
      expect(await backend.get('other'), 'a write of the failed transaction').toBeUndefined();
    },
  },
  {
    name: 'a read-write conflict rejects with CONFLICT and the transaction writes nothing',
    modes: ['raw'],
    gate: transactional,
    async run(context) {
      const backend = (await context.open()).backend;
      await backend.set('balance', '10');
      await expectCode(
        () =>
          transact(backend, async (tx) => {
            const balance = Number(await tx.get('balance'));
            await withDeadline(backend.set('balance', '0'), 'a write outside');
            await tx.set('spent', String(balance));
          }),
        'CONFLICT',
        'commit after a concurrent write to a read key',
      );
      expect(await backend.get('spent')).toBeUndefined();
      expectValue(await backend.get('balance'), '0', 'the outside write');
    },
  },
  {
    name: 'a transaction whose body throws rejects and leaves nothing behind',
    modes: ['raw'],
    gate: transactional,
    async run(context) {
      const backend = (await context.open()).backend;
      await backend.set('k', 'before');
      const boom = new Error('boom');
      const error = await transact(backend, async (tx) => {
        await tx.set('k', 'during');
        await tx.set('new', 'during');
        throw boom;
      }).catch((failure: unknown) => failure);
      expect(error, 'the body error reaches the caller unchanged').toBe(boom);
      expectValue(await backend.get('k'), 'before', 'key written by the aborted transaction');
      expect(await backend.get('new')).toBeUndefined();
    },
  },
  {
    name: "a transaction body's own error reaches the caller unchanged, by identity",
    modes: ['raw', ...mapModes],
    gate: transactional,
    async run(context) {
      const store = await context.open();
      // A plain Error, a StowageError the body made itself (it must not be taken for the
      // engine's own and rewrapped), and a thrown non-Error value.
      const thrown: unknown[] = [
        new TypeError('the body failed'),
        new StowageError('INVALID_ARGUMENT', 'made by the body', { origin: 'a transaction body' }),
        { reason: 'not an Error at all' },
      ];
      for (const [index, value] of thrown.entries()) {
        const body = async (tx: { set(key: string, value: string): Promise<void> }) => {
          await tx.set(`written-${index}`, 'by a failing body');
          throw value;
        };
        const outcome = await (store.map
          ? store.map.transaction(body)
          : transact(store.backend, (tx) => body(tx))
        ).then(
          () => ({ resolved: true as const }),
          (error: unknown) => ({ resolved: false as const, error }),
        );
        expect(outcome.resolved, `a body that threw ${describeThrown(value)} resolved`).toBe(false);
        if (!outcome.resolved) expect(outcome.error, `what ${context.mode} rejected with`).toBe(value);
        expect(await store.backend.get(`written-${index}`), 'a write of the failed body').toBeUndefined();
      }
    },
  },
  {
    name: 'through the map, a transaction commits all of its writes to cache and backend',
    modes: mapModes,
    gate: transactional,
    async run(context) {
      const store = await context.open();
      const map = store.map!;
      await map.set('gone', 'x');
      await map.transaction(async (tx) => {
        await tx.set('a', '1');
        await tx.set('b', '2');
        await tx.delete('gone');
      });
      expect(await map.getMany(['a', 'b', 'gone'])).toEqual(['1', '2', undefined]);
      const rawKeys = (await collect(store.backend.entries())).map(([key]) => key).sort();
      expect(rawKeys, 'keys in the backend').toEqual(['a', 'b']);
    },
  },
  {
    name: 'through the map, a conflicting or failing transaction changes neither cache nor backend',
    modes: mapModes,
    gate: transactional,
    async run(context) {
      const store = await context.open();
      const map = store.map!;
      await map.set('k', 'before');
      await expectCode(
        () =>
          map.transaction(async (tx) => {
            await tx.set('k', 'from tx');
            await tx.set('other', 'from tx');
            await withDeadline(map.set('k', 'outside'), 'a map write outside');
          }),
        'CONFLICT',
        'map transaction after a concurrent write',
      );
      expect(await map.getMany(['k', 'other'])).toEqual(['outside', undefined]);
      await map
        .transaction(async (tx) => {
          await tx.set('k', 'aborted');
          await tx.set('other', 'aborted');
          throw new Error('abort');
        })
        .then(
          () => {
            throw new Error('a transaction whose body threw resolved');
          },
          () => undefined,
        );
      expect(await map.getMany(['k', 'other'])).toEqual(['outside', undefined]);
      expect(await store.backend.get('other')).toBeUndefined();
    },
  },
];
