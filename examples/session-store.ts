/**
 * Session store with TTL on SQLite. Each session is written with a time to live; reading
 * it after the deadline answers `undefined` at once (the map checks the expiry on read),
 * and the sweep deletes it from the file so it does not come back after a restart.
 * `expire(key, ttl)` renews a session that is in use; `delete` logs one out.
 *
 * Run: node --import tsx examples/session-store.ts [folder]
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PersistentMap } from '@stowage/core';
import { SqliteBackend } from '@stowage/sqlite';
import { runIfMain } from './run-main.js';

interface Session {
  readonly user: string;
  readonly roles: string[];
}

const TTL = 300; // ms, short so the example runs fast; a web app would use minutes

export async function main(dir: string) {
  const file = join(dir, 'sessions.db');
  const sessions = await PersistentMap.open<string, Session>(new SqliteBackend({ file }), { sweepInterval: 0 });
  try {
    await sessions.set('s1', { user: 'ada', roles: ['admin'] }, { ttl: TTL });
    await sessions.set('s2', { user: 'grace', roles: [] }, { ttl: TTL });
    await sessions.set('s3', { user: 'alan', roles: [] }, { ttl: TTL });
    await sessions.delete('s3'); // logged out

    await sessions.expire('s1', 30 * 60_000); // ada is active: her session now lasts 30 minutes

    await sleep(TTL + 100); // grace's session runs out meanwhile
    const alive = { s1: await sessions.get('s1'), s2: await sessions.get('s2'), s3: await sessions.get('s3') };
    const swept = await sessions.sweep(); // deletes the expired rows from the file
    return { alive, swept, s1LeftMs: await sessions.ttl('s1') };
  } finally {
    await sessions.close();
  }
}

await runIfMain(import.meta.url, main);
