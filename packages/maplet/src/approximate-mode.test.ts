import { PersistentMap, StowageError } from '@stowage/core';
import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { MapletBackend } from './maplet-backend.js';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(StowageError.is(error, code as never), `expected ${code}, got ${String(error)}`).toBe(true);
}

describe('approximate mode', () => {
  it('counts with sum, removes one pair, and says what it cannot do with NOT_SUPPORTED', async () => {
    const backend = new MapletBackend({ maplet: { valueBits: 16, merge: 'sum' } });
    expect(backend.supports.exactMembership).toBe(false);
    await backend.open();
    await backend.set('/home', '3');
    await backend.set('/home', '2');
    await backend.apply([
      { type: 'set', key: '/about', value: '1' },
      { type: 'set', key: '/home', value: '1' },
    ]);
    expect(await backend.get('/home')).toBe('6');
    expect(await backend.getMany(['/about', '/nowhere'])).toEqual(['1', undefined]);
    expect(await backend.remove('/home', '2')).toBe(true);
    expect(await backend.get('/home')).toBe('4');
    expect(await backend.remove('/nowhere', '1')).toBe(false);
    await rejectsWith(backend.delete('/home'), 'NOT_SUPPORTED');
    await rejectsWith(backend.apply([{ type: 'delete', key: '/home' }]), 'NOT_SUPPORTED');
    await rejectsWith(
      (async () => {
        for await (const _ of backend.entries()) {
          /* nothing */
        }
      })(),
      'NOT_SUPPORTED',
    );
    await rejectsWith(
      (async () => {
        for await (const _ of backend.keys()) {
          /* nothing */
        }
      })(),
      'NOT_SUPPORTED',
    );
    await rejectsWith(backend.expire('/home', 1_000), 'NOT_SUPPORTED');
    await rejectsWith(backend.clear({ prefix: '/h' }), 'NOT_SUPPORTED');
    expect(await backend.get('/home')).toBe('4');
    await backend.clear();
    expect(await backend.get('/home')).toBeUndefined();
    await backend.close();
  });

  it('refuses values it cannot hold with INVALID_VALUE, the store unchanged', async () => {
    const backend = new MapletBackend({ maplet: { valueBits: 4, merge: 'max' } });
    await backend.open();
    for (const bad of ['16', '-1', '1.5', 'x', '01', '', new Uint8Array([1])]) {
      await rejectsWith(backend.set('k', bad), 'INVALID_VALUE');
    }
    await rejectsWith(
      backend.apply([
        { type: 'set', key: 'a', value: '1' },
        { type: 'set', key: 'b', value: '99' },
      ]),
      'INVALID_VALUE',
    );
    expect(await backend.get('a')).toBeUndefined();
    expect(await backend.size()).toBe(0);
    const membership = new MapletBackend();
    await membership.open();
    await rejectsWith(membership.set('k', '1'), 'INVALID_VALUE');
    await membership.set('k', 'true');
    expect(await membership.get('k')).toBe('true');
    await membership.close();
    await backend.close();
  });

  it('persists through snapshot and change log: reopen and power cut keep every acknowledged write', async () => {
    const disk = new SimulatedDisk({ seed: 4 });
    const create = () =>
      new MapletBackend({ fs: disk.mount(), dir: '/views', maplet: { valueBits: 20, merge: 'sum', capacity: 64 } });
    let backend = create();
    expect(backend.supports.persistent).toBe(true);
    await backend.open();
    for (let i = 0; i < 3_000; i++) await backend.set(`/page/${i % 500}`, '1');
    await backend.close();
    backend = create();
    await backend.open();
    for (let i = 0; i < 500; i++) expect(Number(await backend.get(`/page/${i}`))).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < 500; i++) await backend.set(`/page/${i}`, '1');
    disk.powerCut();
    backend = create();
    await backend.open();
    for (let i = 0; i < 500; i++) expect(Number(await backend.get(`/page/${i}`))).toBeGreaterThanOrEqual(7);
    const stats = backend.stats(50_000);
    expect(stats.mode).toBe('approximate');
    expect(stats.entries).toBeGreaterThanOrEqual(500);
    expect(stats.measuredFalsePositiveRate.rate).toBeLessThanOrEqual(0.01);
    await backend.close();
  });

  it('serves a PersistentMap of counters (cache none: a maplet cannot be listed into a cache)', async () => {
    const map = await PersistentMap.open<string, number>(
      new MapletBackend({ maplet: { valueBits: 16, merge: 'sum' } }),
      {
        cache: { mode: 'none' },
      },
    );
    await map.set('/home', 1);
    await map.set('/home', 1);
    expect(await map.get('/home')).toBe(2);
    expect(await map.get('/never')).toBeUndefined();
    await map.close();
  });
});
