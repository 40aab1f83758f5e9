/**
 * The issue 2 target: PersistentMap on the memory engine (full cache, so every get is a
 * cache hit) against a Map behind an async function and a plain Map, read in alternating
 * rounds in a fresh process (./alternating-gets.ts).
 */
import { alternatingGets } from './alternating-gets.js';
import type { BenchOptions } from './options.js';
import type { CacheHitFigures, Extra } from './results.js';
import type { TempDirs } from './temp-dirs.js';

export async function measureCacheHit(options: BenchOptions, temp: TempDirs): Promise<Extra<CacheHitFigures>> {
  const rounds = options.rounds * 2 + 1;
  const result = await alternatingGets(
    ['pmap-memory-full', 'map-awaited', 'map'],
    options.keys,
    rounds,
    options.roundMs,
    temp,
  );
  if ('skipped' in result) return { skipped: result.skipped };
  const { median, best } = result.rates;
  return {
    figures: {
      persistentMap: median['pmap-memory-full'] ?? 0,
      awaitedMap: median['map-awaited'] ?? 0,
      plainMap: median.map ?? 0,
      rounds,
      bestPersistentMap: best['pmap-memory-full'] ?? 0,
      bestAwaitedMap: best['map-awaited'] ?? 0,
    },
  };
}
