/**
 * LogBackend's own answers to the store API, held here as well as in the conformance kit
 * (which the mutation runs leave out for time): each range bound alone, iteration while
 * keys change, clear of a range, a shared merge, the fields versions() gives, and snapshot
 * reads and conflicts of overlapping transactions.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function lettered(): Promise<LogBackend> {
  const log = await openLog();
  for (const key of ['d', 'b', 'ab', 'c', 'a', 'e']) await log.set(key, key.toUpperCase());
  return log;
}

describe('LogBackend API', () => {
  it('each range bound alone selects exactly its keys, in order', async () => {
    const log = await lettered();
    expect(await collect(log.keys())).toEqual(['a', 'ab', 'b', 'c', 'd', 'e']);
    expect(await collect(log.keys({ prefix: 'a' }))).toEqual(['a', 'ab']);
    expect(await collect(log.keys({ gt: 'b' }))).toEqual(['c', 'd', 'e']);
    expect(await collect(log.keys({ gte: 'b' }))).toEqual(['b', 'c', 'd', 'e']);
    expect(await collect(log.keys({ lt: 'b' }))).toEqual(['a', 'ab']);
    expect(await collect(log.keys({ lte: 'b' }))).toEqual(['a', 'ab', 'b']);
    expect(await collect(log.keys({ reverse: true }))).toEqual(['e', 'd', 'c', 'b', 'ab', 'a']);
    expect(await collect(log.entries({ gt: 'c', lte: 'd' }))).toEqual([['d', 'D']]);
  });

  it('iteration lists the keys when it starts, skips one deleted meanwhile and shows a newer value', async () => {
    const log = await lettered();
    const keys: string[] = [];
    for await (const key of log.keys()) {
      keys.push(key);
      if (key === 'a') await log.delete('b');
    }
    expect(keys).toEqual(['a', 'ab', 'c', 'd', 'e']);
    const entries: [string, unknown][] = [];
    for await (const entry of log.entries()) {
      entries.push(entry);
      if (entry[0] === 'a') {
        await log.delete('c');
        await log.set('d', 'newer');
        await log.set('aa', 'added meanwhile');
      }
    }
    expect(entries).toEqual([
      ['a', 'A'],
      ['ab', 'AB'],
      ['d', 'newer'],
      ['e', 'E'],
    ]);
  });

  it('has, getMany, size and delete answer from the key directory', async () => {
    const log = await lettered();
    expect(await log.has('ab')).toBe(true);
    expect(await log.has('zz')).toBe(false);
    expect(await log.getMany(['e', 'zz', 'a'])).toEqual(['E', undefined, 'A']);
    expect(await log.size()).toBe(6);
    expect(await log.delete('ab')).toBe(true);
    expect(await log.delete('ab')).toBe(false);
    expect(await log.has('ab')).toBe(false);
    expect(await log.size()).toBe(5);
  });

  it('clear of a range deletes only its keys, as one group; clear of everything empties the store', async () => {
    const log = await lettered();
    const before = (await log.stats()).lastSequence;
    await log.clear({ gte: 'b', lt: 'd' });
    expect(await collect(log.keys())).toEqual(['a', 'ab', 'd', 'e']);
    expect((await log.stats()).lastSequence - before).toBe(2);
    await log.clear({ prefix: 'a' });
    expect(await collect(log.keys())).toEqual(['d', 'e']);
    await log.clear();
    expect(await log.size()).toBe(0);
  });

  it('concurrent merges share one run and one report; the next call runs a new merge', async () => {
    const log = await openLog({ maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) await log.set(`k${i % 4}`, `${i}-${'v'.repeat(200)}`);
    const [first, second] = await Promise.all([log.merge(), log.merge()]);
    expect(second).toBe(first);
    expect(first.filesMerged).toBeGreaterThan(0);
    const third = await log.merge();
    expect(third).not.toBe(first);
    expect(third.filesMerged).toBe(0);
  });

  it('versions gives sequence, time and deletion only; getVersion of a deletion or an unknown sequence is undefined', async () => {
    const log = await openLog();
    await log.set('k', 'one');
    await log.delete('k');
    const versions = await log.versions('k');
    expect(versions.map((version) => Object.keys(version).sort())).toEqual([
      ['deleted', 'sequence', 'timestamp'],
      ['deleted', 'sequence', 'timestamp'],
    ]);
    expect(await log.getVersion('k', versions[0]!.sequence)).toBe('one');
    expect(await log.getVersion('k', versions[1]!.sequence)).toBeUndefined();
    expect(await log.getVersion('other', versions[0]!.sequence)).toBeUndefined();
  });

  it('a snapshot read of a key changed twice since gives the newest value at the snapshot', async () => {
    const log = await openLog();
    await log.set('k', 'first');
    await log.set('k', 'second');
    const seen = await log.transaction(async (tx) => {
      await log.set('k', 'third');
      await log.set('k', 'fourth');
      return tx.get('k');
    });
    expect(seen).toBe('second');
  });

  it('a transaction that ends does not make an overlapping one miss a conflict', async () => {
    const log = await openLog();
    await log.set('k', 'old');
    let release: (() => void) | undefined;
    const outer = log.transaction(async (tx) => {
      await tx.get('k');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      await tx.set('k', 'outer');
    });
    while (release === undefined) await new Promise((resolve) => setImmediate(resolve));
    await log.set('k', 'outside'); // after outer's snapshot
    await log.transaction(async (tx) => {
      await tx.get('other'); // opens and closes while outer is still open
    });
    release();
    await expect(outer).rejects.toMatchObject({ code: 'CONFLICT', key: 'k' });
    expect(await log.get('k')).toBe('outside');
  });

  it('reads back values larger than its read buffer, bytes and strings, and names its directory', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    expect(log.dir).toBe(dir);
    const bytes = new Uint8Array(100 * 1024).map((_, i) => (i * 7) % 251);
    const text = 'é'.repeat(50 * 1024);
    await log.set('bytes', bytes);
    await log.set('text', text);
    await log.set('small', new Uint8Array([9]));
    expect(await log.getMany(['bytes', 'text', 'small'])).toEqual([bytes, text, new Uint8Array([9])]);
  });

  it('is named log, and a second open of its directory is LOCKED from the log', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    expect(log.name).toBe('log');
    const second = new LogBackend({ dir });
    await expect(second.open()).rejects.toMatchObject({ code: 'LOCKED', origin: '@stowage/log' });
    await log.close();
    await second.open();
    await second.close();
  });

  it('a batch delete deletes whatever else its operation carries, and a transaction deleting an absent key writes nothing', async () => {
    const log = await openLog();
    await log.set('k', 'v');
    await log.apply([{ type: 'delete', key: 'k', value: 'stray' } as never]);
    expect(await log.has('k')).toBe(false);
    const before = (await log.stats()).lastSequence;
    await log.transaction(async (tx) => {
      await tx.delete('absent');
    });
    expect((await log.stats()).lastSequence).toBe(before);
  });

  it('a snapshot read of a key unchanged since the snapshot is one read of its current value, not a search of the history', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('victim', 'victim-value');
    await log.set('k', 'k0');
    await log.set('quiet', 'q');
    // Damage an unrelated record: a search of k's history would meet it.
    const path = join(dir, '000001.data');
    const bytes = readFileSync(path);
    const at = bytes.indexOf('victim-value');
    bytes[at] = bytes[at]! ^ 1;
    writeFileSync(path, bytes);
    let release: (() => void) | undefined;
    // An open transaction makes the store remember which keys change.
    const holding = log.transaction(async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    while (release === undefined) await new Promise((resolve) => setImmediate(resolve));
    await log.set('k', 'k1'); // its newest write is exactly the next snapshot
    const seen = await log.transaction(async (tx) => [await tx.get('k'), await tx.get('quiet')]);
    release();
    await holding;
    expect(seen).toEqual(['k1', 'q']);
  });

  it('open leaves alone names that only contain a store file name, and holds a LOCK file in the directory', async () => {
    const dir = tempDir();
    const first = await openLog({ dir });
    await first.set('k', 'v');
    await first.close();
    for (const name of ['copy-000007.data', '000008.data.bak', 'old000009.hint'])
      writeFileSync(join(dir, name), 'not a store file');
    const log = await openLog({ dir });
    expect(readdirSync(dir).some((name) => name.startsWith('LOCK'))).toBe(true);
    expect((await log.stats()).files.map((file) => file.file)).toEqual(['000001.data']);
    expect((await log.stats()).recovery).toEqual([]);
    expect(await log.get('k')).toBe('v');
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['copy-000007.data', '000008.data.bak', 'old000009.hint']));
  });
});
