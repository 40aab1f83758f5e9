/**
 * One subject through the whole YCSB sequence on one store: load, then every selected
 * workload under each distribution, in YCSB's order (A, B, C, F, then D and E that
 * insert). Called in a child process by ./run-ycsb.ts, in-process by the test.
 */
import { type Keyspace, loadRecords, makeRecords, type RunResult, runWorkload } from './run-workload.js';
import type { YcsbGroup, YcsbStore, YcsbSubject } from './store.js';
import { type Distribution, runOrder, type WorkloadId, workloads } from './workloads.js';

export interface YcsbSettings {
  readonly records: number;
  readonly ops: number;
  readonly recordBytes: number;
  /** Most time one workload may run on one subject. */
  readonly budgetMs: number;
  readonly seed: number;
  readonly workloads: readonly WorkloadId[];
  readonly distributions: readonly Distribution[];
}

export interface SubjectResult {
  readonly id: string;
  readonly label: string;
  readonly group: YcsbGroup;
  /** Why the subject did not run, or what failed part way. */
  readonly error?: string;
  readonly loadMs?: number;
  /** Why the first child running this subject died, when a second one produced the result. */
  readonly retried?: string;
  /** The store's `loadNote`: its load is not the default write path. */
  readonly loadNote?: string;
  readonly runs: RunResult[];
  /** Peak resident memory of the process that ran it, MiB. */
  readonly peakRssMiB?: number;
}

/** Records pooled for values: enough variety that no store can dedupe, small enough to prebuild. */
const poolSize = 256;

export async function runYcsbSubject(
  subject: YcsbSubject,
  dir: string,
  settings: YcsbSettings,
): Promise<SubjectResult> {
  const base = { id: subject.id, label: subject.label, group: subject.group };
  const prepared = await subject.prepare();
  if ('unavailable' in prepared) return { ...base, error: `skipped: ${prepared.unavailable}`, runs: [] };
  const pool = makeRecords(poolSize, settings.recordBytes, settings.seed);
  const runs: RunResult[] = [];
  let store: YcsbStore;
  try {
    store = await prepared.open(dir);
  } catch (error) {
    // Reported like any other failure instead of killing the child with a bare stack.
    return { ...base, error: `failed to open: ${firstLine(error)}`, runs };
  }
  const noted = store.loadNote === undefined ? base : { ...base, loadNote: store.loadNote };
  try {
    const loadMs = await loadRecords(store, settings.records, pool);
    const keyspace: Keyspace = { inserted: settings.records };
    let seed = settings.seed;
    for (const distribution of settings.distributions) {
      for (const id of runOrder.filter((workload) => settings.workloads.includes(workload))) {
        const workload = workloads.find((candidate) => candidate.id === id);
        if (!workload) continue;
        runs.push(
          await runWorkload(store, workload, distribution, keyspace, pool, {
            ops: settings.ops,
            budgetMs: settings.budgetMs,
            seed: ++seed,
          }),
        );
      }
    }
    return { ...noted, loadMs, runs, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  } catch (error) {
    return { ...noted, error: `failed: ${firstLine(error)}`, runs };
  } finally {
    await store.close().catch(() => undefined);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return `${typeof code === 'string' ? `${code}: ` : ''}${text.split('\n')[0]}`;
}
