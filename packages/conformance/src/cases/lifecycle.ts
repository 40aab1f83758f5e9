/** The lifecycle: every method of a closed store fails with STORE_CLOSED; close is idempotent. */
import type { StorageBackend } from '@stowage/core';
import { expect } from 'vitest';
import { expectCode } from '../assertions.js';
import { collect } from '../subject.js';
import type { KitCase } from '../types.js';

/** Every method of a raw backend it offers, called with valid arguments. */
function rawCalls(backend: StorageBackend): [string, () => unknown][] {
  const calls: [string, (() => unknown) | false][] = [
    ['get', () => backend.get('a')],
    ['set', () => backend.set('a', 'v')],
    ['delete', () => backend.delete('a')],
    ['entries', () => collect(backend.entries())],
    ['keys', !!backend.keys && (() => collect(backend.keys!()))],
    ['has', !!backend.has && (() => backend.has!('a'))],
    ['getMany', !!backend.getMany && (() => backend.getMany!(['a']))],
    ['apply', !!backend.apply && (() => backend.apply!([{ type: 'set', key: 'a', value: 'v' }]))],
    ['size', !!backend.size && (() => backend.size!())],
    ['clear', !!backend.clear && (() => backend.clear!())],
    ['flush', !!backend.flush && (() => backend.flush!())],
    ['sweepExpired', !!backend.sweepExpired && (() => backend.sweepExpired!(Date.now()))],
    ['transaction', !!backend.transaction && (() => backend.transaction!(async (tx) => tx.get('a')))],
    ['versions', !!backend.versions && (() => backend.versions!('a'))],
    ['getVersion', !!backend.getVersion && (() => backend.getVersion!('a', 1))],
  ];
  return calls.filter((call): call is [string, () => unknown] => call[1] !== false);
}

export const lifecycleCases: KitCase[] = [
  {
    name: 'every method of a closed store rejects with STORE_CLOSED and close is idempotent',
    async run(context) {
      const store = await context.open();
      await store.set('a', 'before close');
      await store.close();
      await store.close(); // idempotent
      if (store.map) {
        const map = store.map;
        const calls: [string, () => unknown][] = [
          ['get', () => map.get('a')],
          ['set', () => map.set('a', 'v')],
          ['delete', () => map.delete('a')],
          ['has', () => map.has('a')],
          ['size', () => map.size()],
          ['clear', () => map.clear()],
          ['getMany', () => map.getMany(['a'])],
          ['setMany', () => map.setMany([['a', 'v']])],
          ['deleteMany', () => map.deleteMany(['a'])],
          ['keys', () => collect(map.keys())],
          ['values', () => collect(map.values())],
          ['entries', () => collect(map.entries())],
          ['for await', () => collect(map)],
          ['update', () => map.update('a', () => 'v')],
          ['expire', () => map.expire('a', 1000)],
          ['ttl', () => map.ttl('a')],
          ['persist', () => map.persist('a')],
          ['flush', () => map.flush()],
          ['namespace get', () => map.namespace('n:').get('a')],
          ['namespace set', () => map.namespace('n:').set('a', 'v')],
        ];
        if (context.supports.transactions)
          calls.push(['transaction', () => map.transaction(async (tx) => tx.get('a'))]);
        for (const [name, call] of calls) await expectCode(call, 'STORE_CLOSED', `map.${name} after close`);
      }
      for (const [name, call] of rawCalls(store.backend)) {
        await expectCode(call, 'STORE_CLOSED', `backend.${name} after close`);
      }
      expect(store.backend.state).toBe('closed');
    },
  },
  {
    name: 'a backend that was never opened rejects calls with STORE_CLOSED',
    modes: ['raw'],
    async run(context) {
      const backend = await context.createBackend();
      expect(backend.state).toBe('new');
      for (const [name, call] of rawCalls(backend))
        await expectCode(call, 'STORE_CLOSED', `backend.${name} before open`);
    },
  },
  {
    name: 'open is idempotent and close waits for operations in flight',
    modes: ['raw'],
    async run(context) {
      const backend = await context.createBackend();
      await Promise.all([backend.open(), backend.open()]);
      await backend.open();
      expect(backend.state).toBe('open');
      const writes = Array.from({ length: 20 }, (_, i) => backend.set(`k${i}`, `v${i}`));
      await backend.close();
      await Promise.all(writes); // every write acknowledged before close resolved
      await expectCode(() => backend.open(), 'STORE_CLOSED', 'open after close');
    },
  },
];
