/**
 * The issue 2 target, measured with care: PersistentMap on the memory engine (full cache,
 * so every get is a cache hit) against a Map behind an async function and a plain Map, all
 * three filled with the same keys and read in alternating rounds, so a noisy neighbour
 * slows all of them alike; the figures are the medians of each one's rounds. It runs in a
 * fresh process (./cache-hit-child.ts): after every other subject has run, the JIT's view
 * of shared code (cache classes, call sites) is not what an application using one map sees.
 */
import { runChild } from './child-process.js';
import type { BenchOptions } from './options.js';
import type { CacheHitFigures, Extra } from './results.js';
import type { TempDirs } from './temp-dirs.js';

export interface CacheHitRequest {
  readonly keys: number;
  readonly rounds: number;
  readonly roundMs: number;
  readonly dir: string;
}

export async function measureCacheHit(options: BenchOptions, temp: TempDirs): Promise<Extra<CacheHitFigures>> {
  const dir = temp.fresh('cache-hit');
  try {
    const request: CacheHitRequest = {
      keys: options.keys,
      rounds: options.rounds * 2 + 1,
      roundMs: options.roundMs,
      dir,
    };
    return await runChild<Extra<CacheHitFigures>>('./cache-hit-child.ts', request);
  } catch (error) {
    return { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    temp.discard(dir);
  }
}
