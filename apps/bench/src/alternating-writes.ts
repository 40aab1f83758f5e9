/**
 * Writes of two subjects, each on a fresh store, in alternating windows in a fresh process
 * (./alternating-writes-child.ts): a window of one side (sets for at least `windowMs`, chunks
 * for at least `windowMs`, or one wave of concurrent sets), then a window of the other, until
 * the keys or the budget run out. Each side's rate is its operations over its own time in
 * its windows, so periodic work (a compaction, a rotation) still counts at its amortised
 * cost, while load drifting over seconds hits both sides alike.
 */
import { runChild } from './child-process.js';
import type { TempDirs } from './temp-dirs.js';

export type WriteWorkload = 'set-seq' | 'set-chunk' | 'concurrent-set';

export interface WriteSide {
  readonly subject: string;
  readonly workload: WriteWorkload;
}

export interface AlternatingWritesRequest {
  readonly sides: readonly [WriteSide, WriteSide];
  readonly keys: number;
  readonly budgetMs: number;
  readonly windowMs: number;
  readonly concurrentCalls: number;
  readonly dir: string;
}

export interface SideRate {
  readonly rate: number;
  readonly operations: number;
}

export type AlternatingWritesAnswer =
  | { readonly rates: readonly [SideRate, SideRate]; readonly windows: number }
  | { readonly skipped: string };

export async function alternatingWrites(
  sides: readonly [WriteSide, WriteSide],
  keys: number,
  budgetMs: number,
  concurrentCalls: number,
  temp: TempDirs,
): Promise<AlternatingWritesAnswer> {
  const dir = temp.fresh(`alternating-${sides[0].subject}-${sides[1].subject}`);
  try {
    const request: AlternatingWritesRequest = { sides, keys, budgetMs, windowMs: 200, concurrentCalls, dir };
    return await runChild<AlternatingWritesAnswer>('./alternating-writes-child.ts', request);
  } catch (error) {
    return { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    temp.discard(dir);
  }
}
