/**
 * Peak memory of a store, measured in a child process (./peak-memory-child.ts):
 * the rise of the process's peak RSS (getrusage maxrss) from just before the store is
 * opened to the end of filling it in chunks, reopening it and reading every key once.
 * RSS rather than the JS heap, because sqlite, lmdb and LevelDB keep their memory outside
 * it; for lmdb it also counts pages of the memory-mapped file the reads touched.
 * The child also reports the JS heap (+ external buffers) the open store holds: after GC,
 * with the store open minus once it is closed and dropped.
 */
import { runChild } from '../child-process.js';
import type { Measurement } from '../measure.js';

export interface PeakMemoryRequest {
  readonly subject: string;
  readonly keys: number;
  readonly dir: string;
  readonly budgetMs: number;
}

export interface PeakMemoryAnswer {
  readonly peakRssDelta: number;
  readonly heapRetained: number;
  readonly stored: number;
}

export async function peakMemory(request: PeakMemoryRequest): Promise<Omit<Measurement, 'subject'>> {
  const result = await runChild<PeakMemoryAnswer>('./workloads/peak-memory-child.ts', request);
  const heap = `JS heap + buffers held by the open store: ${formatMiB(result.heapRetained)}`;
  return {
    workload: 'peak-memory',
    value: result.peakRssDelta,
    unit: 'bytes',
    operations: result.stored,
    partial: result.stored < request.keys,
    note: heap,
  };
}

function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
