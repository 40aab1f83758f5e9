/** The root README's quick start, run as written (with the file in a temp folder). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersistentMap } from '@stowage/core';
import { SqliteBackend } from '@stowage/sqlite';
import { afterEach, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'stowage-quick-start-'));
afterEach(() => rmSync(folder, { recursive: true, force: true }));

it('runs the quick start of the root README', async () => {
  const file = join(folder, 'app.db');
  const listed: [string, unknown][] = [];
  const backend = new SqliteBackend({ file });
  {
    await using store = await PersistentMap.open<string, unknown>(backend);

    await store.set('session:42', { user: 'ada' }, { ttl: 30 * 60_000 });
    expect(await store.get('session:42')).toEqual({ user: 'ada' });

    const visits = store.namespace('visits:');
    await Promise.all(Array.from({ length: 100 }, () => visits.update('home', (n) => Number(n ?? 0) + 1)));
    expect(await visits.get('home')).toBe(100);

    for await (const [key, value] of store.entries({ prefix: 'session:' })) listed.push([key, value]);
  }
  expect(listed).toEqual([['session:42', { user: 'ada' }]]);
  expect(backend.state).toBe('closed'); // `await using` closed it
  // A new store on the same file sees everything.
  const reopened = await PersistentMap.open<string, unknown>(new SqliteBackend({ file }));
  expect(await reopened.get('visits:home')).toBe(100);
  expect(await reopened.ttl('session:42')).toBeGreaterThan(29 * 60_000);
  await reopened.close();
});
