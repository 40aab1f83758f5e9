/**
 * A profiling aid, not part of the bench: one PersistentMap workload or its raw engine
 * alone in a process, so `node --cpu-prof` shows where the map's time goes. Run from
 * apps/bench:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --conditions=@stowage/source --import tsx \
 *     src/ycsb/profile-map.ts <memory|log|sqlite> <raw|full|lru|lru-all|lru-miss> <set-seq|set-chunk|concurrent-set|get|open> [keys]
 * It prints the rate, so the same script also gives quick before/after ratios.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type CacheOptions, PersistentMap, type StorageBackend } from '@stowage/core';
import { LogBackend } from '@stowage/log';
import { MemoryBackend } from '@stowage/memory';
import { SqliteBackend } from '@stowage/sqlite';
import { makeEntries } from '../data.js';

const [engine = 'memory', mode = 'full', workload = 'set-seq', keysText = '100000'] = process.argv.slice(2);
const keys = Number(keysText);
const entries = makeEntries(keys);
const dir = mkdtempSync(join(tmpdir(), 'profile-map-'));
const create = (): StorageBackend =>
  engine === 'log'
    ? new LogBackend({ dir, durability: 'batch' })
    : engine === 'sqlite'
      ? new SqliteBackend({ file: join(dir, 'store.db') })
      : new MemoryBackend({});
const caches: Record<string, CacheOptions> = {
  full: { mode: 'full' },
  lru: { mode: 'lru', maxEntries: 10_000 },
  'lru-all': { mode: 'lru', maxEntries: keys * 2, maxBytes: 2 ** 40 },
  'lru-miss': { mode: 'lru', maxEntries: 1 },
};

interface Target {
  set(key: string, index: number): Promise<unknown>;
  setMany(first: number, count: number): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

async function open(): Promise<Target> {
  const backend = create();
  if (mode === 'raw') {
    await backend.open();
    return {
      set: (key, index) => backend.set(key, entries[index]!.json),
      setMany: (first, count) =>
        backend.apply!(
          entries.slice(first, first + count).map((entry) => ({ type: 'set', key: entry.key, value: entry.json })),
        ),
      get: (key) => backend.get(key),
      close: () => backend.close(),
    };
  }
  const map = await PersistentMap.open<string, unknown>(backend, {
    cache: caches[mode] ?? { mode: 'full' },
    sweepInterval: 0,
  });
  return {
    set: (key, index) => map.set(key, entries[index]!.value),
    setMany: (first, count) =>
      map.setMany(entries.slice(first, first + count).map((entry) => [entry.key, entry.value])),
    get: (key) => map.get(key),
    close: () => map.close(),
  };
}

let target = await open();
const started = performance.now();
let operations = keys;
if (workload === 'set-seq') {
  for (let i = 0; i < keys; i++) await target.set(entries[i]!.key, i);
} else if (workload === 'set-chunk') {
  for (let i = 0; i < keys; i += 1000) await target.setMany(i, 1000);
} else if (workload === 'concurrent-set') {
  for (let i = 0; i < keys; i += 10_000) {
    const wave: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(keys, i + 10_000); j++) wave.push(target.set(entries[j]!.key, j));
    await Promise.all(wave);
  }
} else {
  for (let i = 0; i < keys; i += 1000) await target.setMany(i, 1000);
  if (workload === 'open') {
    await target.close();
    const opened = performance.now();
    target = await open();
    console.log(`open ${(performance.now() - opened).toFixed(0)} ms`);
  }
  const gets = performance.now();
  operations = 0;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < keys; i++) {
      const index = (i * 7919) % keys;
      if ((await target.get(entries[index]!.key)) === undefined) throw new Error('missing');
      operations++;
    }
  }
  console.log(`${engine} ${mode} get ${((operations * 1000) / (performance.now() - gets)).toFixed(0)}/s`);
}
console.log(
  `${engine} ${mode} ${workload} ${((operations * 1000) / (performance.now() - started)).toFixed(0)}/s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
);
await target.close();
rmSync(dir, { recursive: true, force: true });
