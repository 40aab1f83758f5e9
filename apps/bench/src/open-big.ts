/**
 * Issue 4's open-time target: a 1,000,000-key log store opened by scanning its data files,
 * then, after a merge wrote hint files, opened from them. Runs only with --big (or when the
 * run itself has a million keys), since writing the store takes a while. Data files are
 * capped at 8 MiB so nearly all the data sits in immutable files that a merge covers; the
 * one active file is scanned in both opens.
 */
import { readdirSync } from 'node:fs';
import type { StorageBackend } from '@stowage/core';
import { makeEntries } from './data.js';
import { median, now } from './measure.js';
import type { Extra, OpenBigFigures } from './results.js';
import { loadEngine } from './subjects/stowage-backend.js';
import type { TempDirs } from './temp-dirs.js';

interface MergingBackend extends StorageBackend {
  merge?(): Promise<unknown>;
}

export async function measureOpenBig(
  keys: number,
  temp: TempDirs,
  progress: (line: string) => void,
  maxFileSize = 8 * 2 ** 20,
): Promise<Extra<OpenBigFigures>> {
  const loaded = await loadEngine('@stowage/log', 'LogBackend', (dir: string) => ({
    dir,
    durability: 'none',
    maxFileSize,
  }));
  if (!loaded.ok) return { skipped: loaded.reason };
  const create = loaded.module as (dir: string) => MergingBackend;
  const dir = temp.fresh('open-big');
  try {
    const writer = create(dir);
    await writer.open();
    if (typeof writer.merge !== 'function') {
      await writer.close();
      return { skipped: 'the log engine offers no merge()' };
    }
    progress(`  open-big        writing ${keys.toLocaleString('en-US')} keys`);
    for (let first = 0; first < keys; first += 1000) {
      const chunk = makeEntries(Math.min(1000, keys - first), first);
      await writer.apply?.(chunk.map((entry) => ({ type: 'set', key: entry.key, value: entry.json })));
    }
    await writer.close();
    const scanMs = await timeOpens(create, dir, keys);
    const merger = create(dir);
    await merger.open();
    await merger.merge?.();
    await merger.close();
    const hintFiles = readdirSync(dir).filter((name) => name.endsWith('.hint')).length;
    if (hintFiles === 0) return { skipped: 'merge() wrote no hint files' };
    const hintMs = await timeOpens(create, dir, keys);
    return { figures: { keys, scanMs, hintMs, hintFiles } };
  } catch (error) {
    return { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    temp.discard(dir);
  }
}

/** Median of 3 opens; each is checked to hold the last key, so a fast open cannot be an empty one. */
async function timeOpens(create: (dir: string) => StorageBackend, dir: string, keys: number): Promise<number> {
  const last = makeEntries(1, keys - 1)[0]?.key ?? '';
  const durations: number[] = [];
  for (let round = 0; round < 3; round++) {
    const backend = create(dir);
    const started = now();
    await backend.open();
    durations.push(now() - started);
    const found = await backend.get(last);
    await backend.close();
    if (found === undefined) throw new Error('a reopened store lost its last key');
  }
  return median(durations);
}
