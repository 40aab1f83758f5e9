/**
 * Leveled compaction with dynamic level sizes. Level 0 holds flushed files that may
 * overlap (newest first); levels 1..6 each hold files that do not overlap, newer data
 * always above older. Targets come from the last level's size (see levelTargets); the
 * level with the highest score (level 0: files / trigger; others: bytes / target) at or
 * above 1 is compacted: all level-0 files with the files of the base level they overlap,
 * or one file of level n (round robin through the key space) with the files of level n+1
 * it overlaps. A file with nothing to merge below it moves down without a rewrite.
 * Tombstones are dropped when no deeper level holds the keys. The merge runs with turns
 * for the event loop, and its result replaces its inputs in one durable manifest edit.
 */
import { compareKeys } from '@stowage/core';
import type { EntryCursor } from './entry-cursor.js';
import { LEVEL_COUNT } from './limits.js';
import { LevelCursor, MergeCursor } from './merge-cursor.js';
import type { StoreState, Table } from './store-state.js';
import { writeTables } from './table-writer.js';

export interface CompactionPlan {
  /** The level compacted. */
  readonly level: number;
  /** Where its output goes: the base level for level 0, the next level otherwise. */
  readonly output: number;
  readonly inputs: readonly Table[];
  /** Files of level + 1 that overlap the inputs. */
  readonly overlaps: readonly Table[];
  /** Move the single input down without rewriting it. */
  readonly trivial: boolean;
  readonly dropTombstones: boolean;
}

/** Round-robin positions per level: where the last compaction of that level ended. */
const pointers = new WeakMap<StoreState, (string | undefined)[]>();

/**
 * Level targets derived from the last level (RocksDB's dynamic level bytes): the last
 * level's target is its actual size (at least `baseLevelBytes`), each level above is
 * `levelMultiplier` times smaller, and the levels whose target would fall below
 * `baseLevelBytes` stay empty: level 0 compacts straight into the first level that has a
 * real target (the base level). So whatever the store's size, about 90% of the data sits
 * in the last level and space amplification stays near 1.1.
 */
export function levelTargets(state: StoreState): { targets: number[]; base: number } {
  const { baseLevelBytes, levelMultiplier } = state.settings;
  const last = LEVEL_COUNT - 1;
  const targets = new Array<number>(LEVEL_COUNT).fill(0);
  targets[last] = Math.max(levelBytes(state.version.levels[last]!), baseLevelBytes);
  let base = last;
  for (let level = last - 1; level >= 1; level--) {
    const target = targets[level + 1]! / levelMultiplier;
    if (target < baseLevelBytes) break;
    targets[level] = target;
    base = level;
  }
  return { targets, base };
}

/** The target of `level` (0 for the empty levels above the base level). */
export function levelTarget(state: StoreState, level: number): number {
  return levelTargets(state).targets[level] ?? 0;
}

export function levelBytes(files: readonly Table[]): number {
  let bytes = 0;
  for (const table of files) bytes += table.meta.size;
  return bytes;
}

/** The compaction with the highest score at or above 1, or undefined. `forceLevel0` compacts any level-0 files. */
export function pickCompaction(state: StoreState, forceLevel0 = false): CompactionPlan | undefined {
  const levels = state.version.levels;
  let bestLevel = -1;
  let bestScore = 1;
  const level0 = levels[0]!.length;
  if (level0 > 0 && (forceLevel0 || level0 / state.settings.level0Trigger >= bestScore)) {
    bestLevel = 0;
    bestScore = forceLevel0 ? Number.POSITIVE_INFINITY : level0 / state.settings.level0Trigger;
  }
  const { targets, base } = levelTargets(state);
  for (let level = 1; level < LEVEL_COUNT - 1; level++) {
    const bytes = levelBytes(levels[level]!);
    if (bytes === 0) continue;
    // A level above the base level that still holds files (the store shrank) drains downwards.
    const score = level < base ? Number.POSITIVE_INFINITY : bytes / targets[level]!;
    if (score > bestScore) {
      bestScore = score;
      bestLevel = level;
    }
  }
  if (bestLevel < 0) return undefined;
  let inputs: Table[];
  if (bestLevel === 0) inputs = [...levels[0]!];
  else {
    const files = levels[bestLevel]!;
    const marks = pointers.get(state) ?? [];
    pointers.set(state, marks);
    const after = marks[bestLevel];
    const chosen =
      (after === undefined ? undefined : files.find((table) => compareKeys(table.meta.smallest, after) > 0)) ??
      files[0]!;
    marks[bestLevel] = chosen.meta.largest;
    inputs = [chosen];
  }
  const [smallest, largest] = span(inputs);
  // Level 0 goes to the base level, but never below a level that still holds files: newer
  // data must stay above older data, and the levels it skips must be empty.
  let output = bestLevel + 1;
  if (bestLevel === 0) {
    output = base;
    for (let level = 1; level < base; level++) {
      if (levels[level]!.length > 0) {
        output = level;
        break;
      }
    }
  }
  const overlaps = overlapping(levels[output]!, smallest, largest);
  // Tombstones may come from the overlapping files too, whose keys reach past the inputs:
  // the deeper levels are checked over the whole output's span.
  const [low, high] = span([...inputs, ...overlaps]);
  let deeper = false;
  for (let level = output + 1; level < LEVEL_COUNT; level++) {
    if (overlapping(levels[level]!, low, high).length > 0) deeper = true;
  }
  const dropTombstones = !deeper;
  const trivial = inputs.length === 1 && overlaps.length === 0 && (!dropTombstones || inputs[0]!.meta.tombstones === 0);
  return { level: bestLevel, output, inputs, overlaps, trivial, dropTombstones };
}

/** Runs `plan`: merges (or moves) its files into the next level with one manifest edit. */
export async function runCompaction(state: StoreState, plan: CompactionPlan): Promise<void> {
  const out = plan.output;
  let outputs: Table[];
  if (plan.trivial) {
    outputs = [...plan.inputs];
    state.counters.trivialMoves++;
  } else {
    const sources: EntryCursor[] = [];
    if (plan.level === 0) for (const table of plan.inputs) sources.push(table.reader.cursor());
    else sources.push(new LevelCursor(plan.inputs));
    sources.push(new LevelCursor(plan.overlaps));
    for (const table of [...plan.inputs, ...plan.overlaps]) state.counters.compactionReadBytes += table.meta.size;
    const metas = await writeTables(state, new MergeCursor(sources, false), {
      split: true,
      dropTombstones: plan.dropTombstones,
    });
    outputs = [];
    try {
      for (const meta of metas) {
        outputs.push(state.openTable(meta));
        state.counters.compactionBytes += meta.size;
      }
    } catch (error) {
      for (const table of outputs) table.reader.close();
      throw error;
    }
  }
  // The version may have gained level-0 files from flushes meanwhile; only the inputs leave.
  const gone = new Set([...plan.inputs, ...plan.overlaps]);
  const edit = (levels: readonly (readonly Table[])[]) =>
    levels.map((files, level) => {
      const kept = files.filter((table) => !gone.has(table));
      if (level !== out) return kept;
      return [...kept, ...outputs].sort((a, b) => compareKeys(a.meta.smallest, b.meta.smallest));
    });
  try {
    await state.commit(edit);
  } catch (error) {
    if (!plan.trivial) for (const table of outputs) table.reader.close();
    throw error;
  }
  state.counters.compactions++;
}

function span(tables: readonly Table[]): [string, string] {
  let smallest = tables[0]!.meta.smallest;
  let largest = tables[0]!.meta.largest;
  for (const table of tables) {
    if (compareKeys(table.meta.smallest, smallest) < 0) smallest = table.meta.smallest;
    if (compareKeys(table.meta.largest, largest) > 0) largest = table.meta.largest;
  }
  return [smallest, largest];
}

function overlapping(files: readonly Table[], smallest: string, largest: string): Table[] {
  return files.filter(
    (table) => compareKeys(table.meta.largest, smallest) >= 0 && compareKeys(table.meta.smallest, largest) <= 0,
  );
}
