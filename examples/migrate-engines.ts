/**
 * Moving a store to another engine with core's `copy(from, to)`: a log-engine store with
 * some entries under a TTL moves to SQLite. `copy` carries every value byte for byte and
 * each expiry (into SQLite's `expires_at` column, so the TTL keeps running on the new engine), leaves out what already expired,
 * and reports progress. Copy while no map is open on the target.
 *
 * Run: node --import tsx examples/migrate-engines.ts [folder]
 */
import { join } from 'node:path';
import { copy, PersistentMap } from '@stowage/core';
import { LogBackend } from '@stowage/log';
import { SqliteBackend } from '@stowage/sqlite';
import { runIfMain } from './run-main.js';

export async function main(dir: string) {
  const oldStore = await PersistentMap.open<string, unknown>(new LogBackend({ dir: join(dir, 'old-store') }));
  await oldStore.setMany(Array.from({ length: 2_500 }, (_, i) => [`user:${i}`, { id: i, name: `user ${i}` }] as const));
  await oldStore.set('session:a', { user: 1 }, { ttl: 60 * 60_000 }); // an hour left
  await oldStore.close();

  const from = new LogBackend({ dir: join(dir, 'old-store') });
  const to = new SqliteBackend({ file: join(dir, 'new.db') });
  const progress: number[] = [];
  const result = await copy(from, to, { onProgress: ({ copied }) => progress.push(copied) });
  await from.close(); // copy opens both and leaves them open
  await to.close();

  const moved = await PersistentMap.open<string, unknown>(new SqliteBackend({ file: join(dir, 'new.db') }));
  try {
    return {
      copied: result.copied,
      progress,
      user42: await moved.get('user:42'),
      sessionTtlMs: await moved.ttl('session:a'),
      size: await moved.size(),
    };
  } finally {
    await moved.close();
  }
}

await runIfMain(import.meta.url, main);
