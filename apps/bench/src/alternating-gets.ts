/**
 * Gets of existing keys on several subjects at once, in alternating rounds, in a fresh
 * process (./alternating-gets-child.ts). Rates that feed a ratio are measured this way:
 * a round of each subject in turn, so load from other processes, which drifts over
 * seconds, slows both sides of the ratio alike; and a fresh process, so the JIT state left
 * by every other subject of the run does not weigh on either side. Each subject's figure
 * is the median of its rounds; the fastest round is kept too.
 */
import { runChild } from './child-process.js';
import type { TempDirs } from './temp-dirs.js';

export interface AlternatingRequest {
  readonly subjects: readonly string[];
  readonly keys: number;
  readonly rounds: number;
  readonly roundMs: number;
  readonly dir: string;
}

export interface AlternatingRates {
  /** Median and fastest round, in gets per second, by subject id. */
  readonly median: Record<string, number>;
  readonly best: Record<string, number>;
  readonly rounds: number;
}

export type AlternatingAnswer = { readonly rates: AlternatingRates } | { readonly skipped: string };

export async function alternatingGets(
  subjects: readonly string[],
  keys: number,
  rounds: number,
  roundMs: number,
  temp: TempDirs,
): Promise<AlternatingAnswer> {
  const dir = temp.fresh(`alternating-${subjects.join('-')}`);
  try {
    const request: AlternatingRequest = { subjects, keys, rounds, roundMs, dir };
    return await runChild<AlternatingAnswer>('./alternating-gets-child.ts', request);
  } catch (error) {
    return { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    temp.discard(dir);
  }
}
