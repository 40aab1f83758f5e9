/**
 * The child side of ./run-million.ts: loads `keys` keys into one log store (raw, or under a
 * full-cache PersistentMap) in chunks of 1,000, closes it, and answers with the time the
 * store calls took and the process's peak RSS. Making the entries is outside the timed
 * calls, and both sides make the same entries, so their garbage weighs on both alike.
 */
import type { CacheOptions, KeyValueMap, PersistentMapOptions, StorageBackend } from '@stowage/core';
import { answer, childArgument, collectGarbage } from '../child-process.js';
import { makeEntries } from '../data.js';
import { now } from '../measure.js';
import { loadEngine } from '../subjects/stowage-backend.js';
import type { MillionAnswer, MillionRequest } from './run-million.js';

interface PersistentMapClass {
  open(backend: StorageBackend, options?: PersistentMapOptions<string, unknown>): Promise<KeyValueMap<string, unknown>>;
}

const chunk = 1000;
const request = childArgument<MillionRequest>();
const loaded = await loadEngine('@stowage/log', 'LogBackend', (dir: string) => ({
  dir,
  durability: request.durability,
}));
if (!loaded.ok) throw new Error(loaded.reason);
const { PersistentMap } = (await import('@stowage/core')) as unknown as { PersistentMap: PersistentMapClass };
const cache: CacheOptions = { mode: 'full' };

collectGarbage();
const rssBefore = process.resourceUsage().maxRSS / 1024;
let storeMs = 0;
const started = now();
let t0 = now();
const backend = loaded.module(request.dir);
let write: (first: number, count: number) => Promise<unknown>;
let close: () => Promise<void>;
let has: (key: string) => Promise<boolean>;
if (request.side === 'raw') {
  await backend.open();
  const apply = backend.apply?.bind(backend);
  if (!apply) throw new Error('the log engine has no apply()');
  write = async (first, count) => {
    const operations = makeEntries(count, first).map((entry) => ({
      type: 'set' as const,
      key: entry.key,
      value: entry.json,
    }));
    t0 = now();
    await apply(operations);
    storeMs += now() - t0;
  };
  close = () => backend.close();
  has = async (key) => (await backend.get(key)) !== undefined;
} else {
  // No sweep timer: nothing here expires, and a timer would only add noise.
  const map = await PersistentMap.open(backend, { cache, sweepInterval: 0 });
  write = async (first, count) => {
    const entries = makeEntries(count, first).map((entry) => [entry.key, entry.value] as const);
    t0 = now();
    await map.setMany(entries);
    storeMs += now() - t0;
  };
  close = () => map.close();
  has = async (key) => (await map.get(key)) !== undefined;
}
const openMs = now() - started;
storeMs += openMs;
for (let first = 0; first < request.keys; first += chunk) await write(first, Math.min(chunk, request.keys - first));
// The last key must be there: a fast load cannot be an empty one.
const lastKey = makeEntries(1, request.keys - 1)[0]?.key ?? '';
if (!(await has(lastKey))) throw new Error(`the ${request.side} store lost its last key`);
t0 = now();
await close();
storeMs += now() - t0;
answer({
  side: request.side,
  keys: request.keys,
  openMs,
  loadMs: storeMs,
  wallMs: now() - started,
  rssBeforeMiB: rssBefore,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
} satisfies MillionAnswer);
process.exit(0);
