/**
 * Key directory memory per key (issue 4): the JS heap an open log store retains per key,
 * against a Map<string, number> of the same keys, both measured after forced GC in a
 * fresh child process (./keydir-memory-child.ts). The log figure is everything the open
 * store holds, so it bounds the keydir from above.
 */
import { runChild } from './child-process.js';
import type { Extra, KeydirFigures } from './results.js';
import type { TempDirs } from './temp-dirs.js';

export interface KeydirRequest {
  readonly keys: number;
  readonly dir: string;
}

export type KeydirAnswer = { readonly figures: KeydirFigures } | { readonly skipped: string };

export async function measureKeydir(keys: number, temp: TempDirs): Promise<Extra<KeydirFigures>> {
  const dir = temp.fresh('keydir');
  try {
    return await runChild<KeydirAnswer>('./keydir-memory-child.ts', { keys, dir } satisfies KeydirRequest);
  } catch (error) {
    return { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    temp.discard(dir);
  }
}
