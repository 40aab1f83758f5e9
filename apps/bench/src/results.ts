/** What one run of the bench produced: everything the reports print. */

import type { Machine } from './machine.js';
import type { Measurement } from './measure.js';
import type { BenchOptions } from './options.js';
import type { SubjectGroup } from './subject.js';

export interface SubjectStatus {
  readonly id: string;
  readonly label: string;
  readonly group: SubjectGroup;
  readonly status: 'ran' | 'skipped' | 'failed';
  /** Why it was skipped, or what failed (a subject may fail on one workload and still run the others). */
  readonly reasons: string[];
}

export interface Growth {
  /** Per-write time (ms) near N/10 keys and near N keys, and their ratio. */
  readonly small: number;
  readonly large: number;
  readonly ratio: number;
}

export interface CacheHitFigures {
  /** Median gets per second of each, measured in alternating rounds. */
  readonly persistentMap: number;
  readonly awaitedMap: number;
  readonly plainMap: number;
  readonly rounds: number;
  /** The fastest round of each: load from other processes only ever slows a round down. */
  readonly bestPersistentMap: number;
  readonly bestAwaitedMap: number;
}

export interface KeydirFigures {
  readonly keys: number;
  /** JS heap bytes per key of a Map<string, number> of the keys. */
  readonly mapPerKey: number;
  /** JS heap bytes per key retained by an open log store of the same keys. */
  readonly logPerKey: number;
}

export interface OpenBigFigures {
  readonly keys: number;
  readonly scanMs: number;
  readonly hintMs: number;
  readonly hintFiles: number;
}

export interface Extra<T> {
  readonly figures?: T;
  /** Why the figure is missing. */
  readonly skipped?: string;
}

export interface BenchResult {
  readonly options: BenchOptions;
  readonly machine: Machine;
  readonly durationMs: number;
  readonly subjects: SubjectStatus[];
  readonly measurements: Measurement[];
  readonly growth: Record<string, Growth>;
  readonly cacheHit: Extra<CacheHitFigures>;
  readonly keydir: Extra<KeydirFigures>;
  readonly openBig: Extra<OpenBigFigures>;
  /** Each ratio target measured again with its two sides in alternating rounds, by `pairKey`. */
  readonly paired: Record<string, PairedFigure>;
}

/** A target's ratio from alternating rounds, and how it was measured. */
export type PairedFigure = { readonly ratio: number; readonly detail: string } | { readonly skipped: string };
