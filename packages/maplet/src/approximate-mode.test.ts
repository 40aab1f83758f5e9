import { join } from 'node:path';
import { PersistentMap, StowageError } from '@stowage/core';
import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { INSERT, scanLog } from './change-log.js';
import { MapletBackend } from './maplet-backend.js';
import { LOG_FILE } from './maplet-file.js';

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

describe('approximate mode: values, and writes on disk', () => {
  const logPath = join('/counts', LOG_FILE);
  const onDisk = (disk: SimulatedDisk, durability?: 'none') =>
    new MapletBackend({
      fs: disk.mount(),
      dir: '/counts',
      maplet: { valueBits: 8, merge: 'sum', capacity: 64 },
      ...(durability === undefined ? {} : { durability }),
    });

  it('holds every integer up to the largest its value bits allow, many digits long', async () => {
    const backend = new MapletBackend({ maplet: { valueBits: 4, merge: 'max' } });
    await backend.open();
    await backend.set('twelve', '12');
    await backend.set('fifteen', '15');
    expect(await backend.getMany(['twelve', 'fifteen'])).toEqual(['12', '15']);
    await backend.close();
  });

  it('refuses a count of 0 when counting (0 means absent), naming the key', async () => {
    const backend = new MapletBackend({ maplet: { valueBits: 8, merge: 'sum' } });
    await backend.open();
    const error = await backend.set('/zero', '0').then(
      () => undefined,
      (caught: unknown) => caught as StowageError,
    );
    expect([error?.code, error?.key, error?.origin]).toEqual(['INVALID_VALUE', '/zero', '@stowage/maplet']);
    expect(await backend.get('/zero')).toBeUndefined();
    const max = new MapletBackend({ maplet: { valueBits: 8, merge: 'max' } });
    await max.open();
    await max.set('/zero', '0');
    expect(await max.get('/zero')).toBe('0');
    await max.close();
    await backend.close();
  });

  it('logs remove and clear, so a power cut right after keeps them', async () => {
    for (const write of ['remove', 'clear'] as const) {
      const disk = new SimulatedDisk();
      const backend = onDisk(disk);
      await backend.open();
      await backend.set('a', '3');
      await backend.set('b', '2');
      if (write === 'remove') expect(await backend.remove('a', '3')).toBe(true);
      else await backend.clear();
      disk.powerCut({ mode: 'lose-all' });
      const reopened = onDisk(disk);
      await reopened.open();
      const expected = write === 'remove' ? [undefined, '2'] : [undefined, undefined];
      expect(await reopened.getMany(['a', 'b']), write).toEqual(expected);
      await reopened.close();
    }
  });

  it('flush makes writes under durability none survive a power cut; in memory it does nothing', async () => {
    const disk = new SimulatedDisk();
    const backend = onDisk(disk, 'none');
    await backend.open();
    await backend.set('a', '3');
    await backend.flush();
    disk.powerCut({ mode: 'lose-all' });
    const reopened = onDisk(disk);
    await reopened.open();
    expect(await reopened.get('a')).toBe('3');
    await reopened.close();
    const memory = new MapletBackend();
    await memory.open();
    await memory.flush();
    await memory.close();
  });

  it('passes checkpointRecords to the file: the log checkpoints once it holds that many records', async () => {
    const disk = new SimulatedDisk();
    const backend = new MapletBackend({
      fs: disk.mount(),
      dir: '/counts',
      checkpointRecords: 2,
      maplet: { valueBits: 8 },
    });
    await backend.open();
    await backend.set('a', '1');
    expect(scanLog(disk.readFile(logPath), 'log').records).toHaveLength(1);
    await backend.set('b', '1');
    expect(scanLog(disk.readFile(logPath), 'log')).toMatchObject({ epoch: 2, records: [] });
    await backend.close();
  });

  it('rebuild on disk is a checkpoint: the log starts empty at the next epoch', async () => {
    const disk = new SimulatedDisk();
    const backend = onDisk(disk);
    await backend.open();
    await backend.set('a', '3');
    expect(scanLog(disk.readFile(logPath), 'log')).toMatchObject({ epoch: 1, records: [{ type: INSERT }] });
    await backend.rebuild();
    expect(scanLog(disk.readFile(logPath), 'log')).toMatchObject({ epoch: 2, records: [] });
    expect(await backend.get('a')).toBe('3');
    await backend.close();
    const memory = new MapletBackend();
    await memory.open();
    await memory.rebuild();
    await memory.close();
  });
});
