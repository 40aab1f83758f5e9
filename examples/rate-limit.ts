/**
 * Rate-limit counters with `update()` on every engine. Each client gets a counter per
 * one-second window (`rate:<client>:<window>`), incremented atomically by `update()` and
 * expiring with its window. 50 concurrent requests against a limit of 20: exactly 20 pass
 * on every engine, because `update()` runs one at a time per key (in one process; several
 * processes on one store need the engine's transactions instead).
 *
 * Run: node --import tsx examples/rate-limit.ts [folder]
 */
import { join } from 'node:path';
import { PersistentMap, type StorageBackend } from '@stowage/core';
import { CsvBackend } from '@stowage/csv';
import { LogBackend } from '@stowage/log';
import { MemoryBackend } from '@stowage/memory';
import { SqliteBackend } from '@stowage/sqlite';
import { runIfMain } from './run-main.js';

const LIMIT = 20;
const WINDOW = 1_000; // ms

/** Counts the request; true when it is within the client's limit for the current window. */
async function allow(counters: PersistentMap<string, number>, client: string, now = Date.now()): Promise<boolean> {
  const window = Math.floor(now / WINDOW);
  const count = await counters.update(`rate:${client}:${window}`, (n) => (n ?? 0) + 1, { ttl: 2 * WINDOW });
  return (count ?? 0) <= LIMIT;
}

export async function main(dir: string) {
  const engines: Record<string, StorageBackend> = {
    memory: new MemoryBackend(),
    sqlite: new SqliteBackend({ file: join(dir, 'rate.db') }),
    log: new LogBackend({ dir: join(dir, 'rate-log') }),
    csv: new CsvBackend({ path: join(dir, 'rate.csv') }),
  };
  const passed: Record<string, number> = {};
  for (const [name, backend] of Object.entries(engines)) {
    const counters = await PersistentMap.open<string, number>(backend);
    try {
      const now = Date.now(); // one window for the whole burst
      const answers = await Promise.all(Array.from({ length: 50 }, () => allow(counters, 'client-7', now)));
      passed[name] = answers.filter(Boolean).length;
    } finally {
      await counters.close();
    }
  }
  return passed;
}

await runIfMain(import.meta.url, main);
