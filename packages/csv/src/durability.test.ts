import type { EncodedValue } from '@stowage/core';
import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';
import { countingFileSystem } from './fixtures/counting-fs.fixture.js';
import type { CsvBackendOptions } from './options.js';

const path = '/data/store.csv';
const journal = `${path}.journal`;

async function openOn(disk: SimulatedDisk, options: Partial<CsvBackendOptions> = {}): Promise<CsvBackend> {
  const backend = new CsvBackend({ path, fs: disk.mount(), ...options });
  await backend.open();
  return backend;
}

async function contentOf(backend: CsvBackend): Promise<Map<string, EncodedValue>> {
  const result = new Map<string, EncodedValue>();
  for await (const [key, value] of backend.entries()) result.set(key, value);
  return result;
}

describe('group commit', () => {
  it('shares one append and one fsync among writes issued together', async () => {
    const fs = countingFileSystem(new SimulatedDisk());
    const backend = new CsvBackend({ path, fs });
    await backend.open();
    const [syncs, appends] = [fs.count('sync', journal), fs.count('append', journal)]; // the header's
    await Promise.all(Array.from({ length: 50 }, (_, index) => backend.set(`k${index}`, String(index))));
    expect(fs.count('sync', journal) - syncs).toBe(1);
    expect(fs.count('append', journal) - appends).toBe(1);
    expect(await backend.size()).toBe(50);
    await backend.close();
  });

  it('fsyncs each awaited write in batch durability, and never per write in none', async () => {
    for (const durability of ['batch', 'none'] as const) {
      const fs = countingFileSystem(new SimulatedDisk());
      const backend = new CsvBackend({ path, fs, durability });
      await backend.open();
      const syncs = fs.count('sync', journal); // the header's
      for (let index = 0; index < 5; index++) await backend.set(`k${index}`, 'v');
      expect(fs.count('sync', journal) - syncs).toBe(durability === 'batch' ? 5 : 0);
      await backend.close();
    }
  });

  it('rewrites the CSV a logarithmic number of times while the store grows', async () => {
    const fs = countingFileSystem(new SimulatedDisk());
    const backend = new CsvBackend({ path, fs, minJournalBytes: 1000 });
    await backend.open();
    for (let index = 0; index < 3000; index++) await backend.set(`key-${index}`, `value-${index}`);
    // The journal must outgrow the CSV before a rewrite, and a journal line of a new key is
    // about twice its CSV row, so the CSV grows about 1.5x between rewrites: ~log1.5(60) + 2.
    const rewrites = fs.count('rename', path);
    expect(rewrites).toBeGreaterThan(3);
    expect(rewrites).toBeLessThan(16);
    await backend.close();
  });
});

describe('a failing disk', () => {
  it('rejects a write whose fsync failed, leaves the store as it was, and does not bring it back later', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    await backend.set('k', 'old');
    disk.failNext('sync', 'EIO', { path: journal });
    await expect(backend.set('k', 'new')).rejects.toMatchObject({ code: 'IO', origin: '@stowage/csv' });
    expect(await backend.get('k')).toBe('old');
    await backend.set('other', '1');
    disk.powerCut({ mode: 'keep-prefix' });
    const reopened = await openOn(disk);
    expect(await contentOf(reopened)).toEqual(
      new Map([
        ['k', 'old'],
        ['other', '1'],
      ]),
    );
    await reopened.close();
  });

  it('works again once a failing fsync clears, without the write it rejected', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    await backend.set('k', 'old');
    // The write's fsync fails, and so does the fsync of its rollback.
    disk.failNext('sync', 'EIO', { path: journal, times: 2 });
    await expect(backend.set('k', 'lost')).rejects.toMatchObject({ code: 'IO' });
    await backend.set('after', '1');
    disk.powerCut({ mode: 'keep-prefix' });
    const reopened = await openOn(disk);
    expect(await contentOf(reopened)).toEqual(
      new Map([
        ['k', 'old'],
        ['after', '1'],
      ]),
    );
    await reopened.close();
  });

  it('rejects a write that could not be appended (ENOSPC) and keeps working', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk);
    disk.failNext('append', 'ENOSPC');
    await expect(backend.set('a', '1')).rejects.toMatchObject({ code: 'IO' });
    await backend.set('b', '2');
    expect(await contentOf(backend)).toEqual(new Map([['b', '2']]));
    await backend.close();
  });

  it('keeps every write in the journal when a background rewrite fails, and warns', async () => {
    const disk = new SimulatedDisk();
    const backend = await openOn(disk, { minJournalBytes: 100 });
    disk.failNext('rename', 'EIO', { times: 'always', path });
    for (let index = 0; index < 20; index++) await backend.set(`k${index}`, String(index));
    expect(backend.warnings.some((warning) => warning.kind === 'compaction-failed')).toBe(true);
    await expect(backend.close()).rejects.toMatchObject({ code: 'IO' });
    disk.clearFaults();
    disk.powerCut({ mode: 'lose-all' });
    const reopened = await openOn(disk);
    expect(await reopened.size()).toBe(20);
    await reopened.close();
  });
});

describe('power cuts', () => {
  it('after a write resolved keep it, in every cut mode', async () => {
    for (const mode of ['lose-all', 'keep-prefix', 'tear'] as const) {
      const disk = new SimulatedDisk({ seed: 7 });
      const backend = await openOn(disk);
      await backend.set('a', '1');
      await backend.apply([
        { type: 'set', key: 'b', value: new Uint8Array([2]) },
        { type: 'delete', key: 'a' },
      ]);
      disk.powerCut({ mode });
      const reopened = await openOn(disk);
      expect(await contentOf(reopened)).toEqual(new Map([['b', new Uint8Array([2])]]));
      await reopened.close();
    }
  });

  it('during a rewrite without per-write fsync leave a state that existed, never a mix of old and new', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const disk = new SimulatedDisk({ seed });
      const backend = await openOn(disk, { durability: 'none' });
      // Each state the store passes through; after the cut it must be one of them.
      const states: string[] = [JSON.stringify([])];
      const record = async () => states.push(JSON.stringify([...(await contentOf(backend))]));
      await backend.set('e', '0');
      await record();
      await backend.apply([
        { type: 'set', key: 'c', value: '1' },
        { type: 'set', key: 'e', value: '1' },
      ]);
      await record();
      await backend.set('c', '2');
      await record();
      await backend.delete('e');
      await record();
      // The rewrite's last fsync fails, so emptying the journal never becomes durable.
      disk.failNext('sync', 'EIO', { path: journal, times: 'always' });
      await backend.flush().catch(() => undefined);
      disk.clearFaults();
      disk.powerCut({ mode: 'keep-prefix' });
      const reopened = await openOn(disk);
      const found = JSON.stringify([...(await contentOf(reopened))]);
      expect(states, `seed ${seed}`).toContain(found);
      await reopened.close();
    }
  });

  it('at any moment of writes, batches and rewrites keep every acknowledged write and no part of a batch', async () => {
    const seeds = Number(process.env.STOWAGE_STRESS === '1' ? 2000 : 150);
    for (let seed = 1; seed <= seeds; seed++) {
      const disk = new SimulatedDisk({ seed });
      const model = new Map<string, string>();
      // Fill, close cleanly, reopen: the cut then also meets the CSV and its rewrites.
      const first = await openOn(disk, { minJournalBytes: 300 });
      for (let index = 0; index < 10; index++) {
        await first.set(`k${index}`, `0-${index}`);
        model.set(`k${index}`, `0-${index}`);
      }
      await first.close();
      const backend = await openOn(disk, { minJournalBytes: 300 });
      disk.cutAfter(1 + ((seed * 7919) % 120));
      let inFlight: Map<string, string | undefined> | undefined;
      try {
        for (let step = 1; step < 1000; step++) {
          const key = `k${(step * 3 + seed) % 12}`;
          if (step % 5 === 0) {
            const batch = new Map<string, string | undefined>([
              [key, `${step}-a`],
              [`k${(step + 1) % 12}`, undefined],
            ]);
            inFlight = batch;
            await backend.apply(
              [...batch].map(([k, v]) =>
                v === undefined ? { type: 'delete', key: k } : { type: 'set', key: k, value: v },
              ),
            );
          } else if (step % 17 === 0) {
            inFlight = new Map();
            await backend.flush();
          } else {
            inFlight = new Map([[key, `${step}-s`]]);
            await backend.set(key, `${step}-s`);
          }
          for (const [k, v] of inFlight) v === undefined ? model.delete(k) : model.set(k, v);
          inFlight = undefined;
        }
      } catch {
        // The power went: the write in flight may or may not have made it, but only whole.
      }
      const reopened = await openOn(disk);
      const found = await contentOf(reopened);
      const withInFlight = new Map(model);
      for (const [k, v] of inFlight ?? []) v === undefined ? withInFlight.delete(k) : withInFlight.set(k, v);
      const matches = [model, withInFlight].some(
        (expected) => JSON.stringify([...expected].sort()) === JSON.stringify([...found].sort()),
      );
      if (!matches) {
        expect.fail(`seed ${seed}: found ${JSON.stringify([...found])}, expected ${JSON.stringify([...model])}`);
      }
      await reopened.close();
    }
  });
});
