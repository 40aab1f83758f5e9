/** Small timing helpers shared by the workloads. */
import { performance } from 'node:perf_hooks';
import type { WorkloadId } from './subject.js';

export const now = (): number => performance.now();

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A time limit for one workload on one subject, so a slow peer cannot stall the run. */
export class Deadline {
  readonly #at: number;
  #passed = false;
  constructor(budgetMs: number) {
    this.#at = now() + budgetMs;
  }
  /** True once the budget is spent; stays true. */
  passed(): boolean {
    if (!this.#passed && now() >= this.#at) this.#passed = true;
    return this.#passed;
  }
}

export type Unit = 'ops/s' | 'ms' | 'bytes';

/** One figure: a subject on a workload. */
export interface Measurement {
  readonly subject: string;
  readonly workload: WorkloadId;
  readonly value: number;
  readonly unit: Unit;
  /** Operations the figure is based on (per round for rates measured in rounds). */
  readonly operations?: number;
  /** The budget ran out before every key was done; the figure is the rate of those that were. */
  readonly partial?: boolean;
  readonly note?: string;
}

/** Operations per second. */
export function rate(operations: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (operations * 1000) / elapsedMs : Number.POSITIVE_INFINITY;
}
