/** `copy` between every pair of engines: values, types and expiries arrive as they left. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copy, PersistentMap, type StorageBackend, structuredCodec } from '@stowage/core';
import { CsvBackend } from '@stowage/csv';
import { LogBackend } from '@stowage/log';
import { MemoryBackend } from '@stowage/memory';
import { SqliteBackend } from '@stowage/sqlite';
import { afterAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'stowage-copy-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let stores = 0;
const place = (name: string) => join(folder, `${name}-${++stores}`);

const engines: Record<string, () => StorageBackend> = {
  memory: () => new MemoryBackend(),
  sqlite: () => new SqliteBackend({ file: join(place('sqlite'), 'store.db') }),
  csv: () => new CsvBackend({ path: join(place('csv'), 'store.csv') }),
  log: () => new LogBackend({ dir: place('log') }),
};
const pairs = Object.keys(engines).flatMap((from) => Object.keys(engines).map((to) => [from, to] as const));

describe('copy(from, to) between every pair of engines', () => {
  it.each(pairs)('%s -> %s carries values and expiries', async (fromName, toName) => {
    const source = await PersistentMap.open<string, unknown>(engines[fromName]!(), {
      codec: structuredCodec,
      sweepInterval: 0,
    });
    await source.set('text', 'hello');
    await source.set('bytes', new Uint8Array([0, 255]));
    await source.set('record', { when: new Date(0), n: 1.5 });
    await source.set('session', 'ada', { ttl: 3_600_000 });
    const progress: number[] = [];
    const target = engines[toName]!();
    expect(await copy(source.backend, target, { onProgress: ({ copied }) => progress.push(copied) })).toEqual({
      copied: 4,
      expired: 0,
    });
    expect(progress.at(-1)).toBe(4);
    const copied = await PersistentMap.open<string, unknown>(target, { codec: structuredCodec, sweepInterval: 0 });
    expect(await copied.get('text')).toBe('hello');
    expect(await copied.get('bytes')).toEqual(new Uint8Array([0, 255]));
    expect(await copied.get('record')).toEqual({ when: new Date(0), n: 1.5 });
    expect(await copied.ttl('session')).toBeGreaterThan(3_500_000);
    if (target.supports.nativeTtl) {
      // The target's own sweep knows the expiry: an hour later it removes the session.
      expect(await target.sweepExpired!(Date.now() + 3_600_001)).toBe(1);
    }
    await copied.close();
    await source.close();
  });
});
