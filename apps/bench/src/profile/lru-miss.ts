/**
 * A profiling aid for issue 13's LRU miss target, not part of the bench: gets of random
 * existing keys through a PersistentMap whose LRU holds one entry (every get a miss, as the
 * bench's `pmap-memory-lru-miss`), or the memory engine's own get (`raw`), in one process.
 * Run from apps/bench:
 *
 *   node --conditions=@stowage/source --import tsx src/profile/lru-miss.ts <miss|raw|both|hits> [keys] [gets] [alloc]
 *
 * `hits` compares instead an LRU holding every key with the full cache (hits on both).
 *
 * Prints each side's rate (with `both`, alternating rounds, and the ratio). With `alloc`,
 * samples allocations during the timed gets (collected objects included, through
 * node:inspector) and prints the functions that allocated the most bytes per get; with a
 * path ending in .cpuprofile instead, writes a CPU profile of the timed gets there (for
 * `top-self.ts`).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PersistentMap } from '@stowage/core';
import { MemoryBackend } from '@stowage/memory';
import { makeEntries, randomIndexes } from '../data.js';

const [side = 'both', keysText = '100000', getsText = '200000', alloc] = process.argv.slice(2);
const keys = Number(keysText);
const gets = Number(getsText);
const entries = makeEntries(keys);
const order = randomIndexes(gets, keys);
const lookups = Array.from(order, (i) => Buffer.from(entries[i]!.key, 'latin1').toString('latin1'));

const raw = new MemoryBackend();
await raw.open();
const backing = new MemoryBackend();
const map = await PersistentMap.open<string, unknown>(backing, {
  cache: { mode: 'lru', maxEntries: 1 },
  sweepInterval: 0,
});
// For `hits`: an LRU holding every key against the full cache, each over its own engine.
const hitSides = side === 'hits';
const underFull = new MemoryBackend();
const underLru = new MemoryBackend();
if (hitSides) await Promise.all([underFull.open(), underLru.open()]);
for (let first = 0; first < keys; first += 1000) {
  const chunk = entries.slice(first, first + 1000);
  await raw.apply?.(chunk.map((entry) => ({ type: 'set', key: entry.key, value: entry.json })));
  await map.setMany(chunk.map((entry) => [entry.key, entry.value] as const));
  if (hitSides) {
    const operations = chunk.map((entry) => ({ type: 'set' as const, key: entry.key, value: entry.json }));
    await underFull.apply?.(operations);
    await underLru.apply?.(operations);
  }
}
const full = hitSides
  ? await PersistentMap.open<string, unknown>(underFull, { cache: { mode: 'full' }, sweepInterval: 0 })
  : undefined;
const lru = hitSides
  ? await PersistentMap.open<string, unknown>(underLru, {
      cache: { mode: 'lru', maxEntries: 10_000_000, maxBytes: 2 ** 40 },
      sweepInterval: 0,
    })
  : undefined;
if (lru) for (const entry of entries) await lru.get(entry.key); // every key cached and decoded

async function round(which: 'miss' | 'raw' | 'hit' | 'full', from: number, count: number): Promise<number> {
  const started = performance.now();
  let found = 0;
  if (which === 'hit' || which === 'full') {
    const target = which === 'hit' ? lru! : full!;
    for (let i = from; i < from + count; i++) if ((await target.get(lookups[i % gets]!)) !== undefined) found++;
  } else if (which === 'raw') {
    for (let i = from; i < from + count; i++) if ((await raw.get(lookups[i % gets]!)) !== undefined) found++;
  } else {
    for (let i = from; i < from + count; i++) if ((await map.get(lookups[i % gets]!)) !== undefined) found++;
  }
  if (found !== count) throw new Error(`found ${found} of ${count}`);
  return count / ((performance.now() - started) / 1000);
}

const cpuPath = alloc?.endsWith('.cpuprofile') === true ? alloc : undefined;
const cpu = cpuPath === undefined ? undefined : new Session();
if (cpu) {
  cpu.connect();
  await cpu.post('Profiler.enable');
  await cpu.post('Profiler.start');
}
const session = alloc === undefined || cpu !== undefined ? undefined : new Session();
if (session) {
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}
const sides =
  side === 'both'
    ? (['miss', 'raw'] as const)
    : hitSides
      ? (['hit', 'full'] as const)
      : ([side as 'miss' | 'raw'] as const);
const rates: Record<string, number[]> = { miss: [], raw: [], hit: [], full: [] };
const rounds = side === 'both' || hitSides ? 7 : 1;
const per = Math.floor(gets / rounds);
for (let r = 0; r < rounds; r++) for (const which of sides) rates[which]!.push(await round(which, r * per, per));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
for (const which of sides) console.log(`${which}: ${median(rates[which]!).toFixed(0)} gets/s (median of ${rounds})`);
if (side === 'both') console.log(`miss / raw: ${(median(rates.miss!) / median(rates.raw!)).toFixed(2)}x`);
if (hitSides) console.log(`lru hit / full hit: ${(median(rates.hit!) / median(rates.full!)).toFixed(2)}x`);
if (cpu && cpuPath) {
  const { profile } = await cpu.post('Profiler.stop');
  writeFileSync(cpuPath, JSON.stringify(profile));
}

if (session) {
  interface Node {
    callFrame: { functionName: string; url: string; lineNumber: number };
    selfSize: number;
    children: Node[];
  }
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: Node } };
  const bySite = new Map<string, number>();
  const walk = (node: Node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : ` ${url.replace(/^.*\/(packages|apps|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    const name = `${functionName || '(anonymous)'}${where}`;
    bySite.set(name, (bySite.get(name) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const total = [...bySite.values()].reduce((a, b) => a + b, 0);
  const operations = per * rounds * sides.length;
  console.log(`allocated ~${(total / operations).toFixed(0)} bytes per get (sampled)`);
  for (const [name, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`${(bytes / operations).toFixed(0).padStart(6)} B/get  ${name}`);
  }
}
await map.close();
await raw.close();
await lru?.close();
await full?.close();
