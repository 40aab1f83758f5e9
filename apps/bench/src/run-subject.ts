/**
 * Runs every selected workload on one subject, each on a fresh store where it needs one.
 * A failure on one workload is recorded and the others still run: an engine still being
 * written should cost one cell of the table, not the run.
 */
import { type Entry, keyOf, missingKeyOf, randomIndexes } from './data.js';
import { type Measurement, median, now } from './measure.js';
import type { BenchOptions } from './options.js';
import type { Growth } from './results.js';
import type { Opener, Store, Subject, WorkloadId } from './subject.js';
import type { TempDirs } from './temp-dirs.js';
import { concurrentSet } from './workloads/concurrent-set.js';
import { diskSize } from './workloads/disk-size.js';
import { iterate } from './workloads/iterate.js';
import { peakMemory } from './workloads/peak-memory.js';
import { randomGet } from './workloads/random-get.js';
import { setChunked } from './workloads/set-chunked.js';
import { setGrowth } from './workloads/set-growth.js';
import { setSequential } from './workloads/set-sequential.js';

export interface SubjectRun {
  readonly measurements: Measurement[];
  readonly growth: Growth | undefined;
  readonly failures: string[];
}

/** Keys read per pass of a get round: enough to defeat CPU caches, few enough to repeat. */
const keysPerPass = 50_000;

export async function runSubject(
  subject: Subject,
  opener: Opener,
  entries: readonly Entry[],
  options: BenchOptions,
  temp: TempDirs,
  progress: (line: string) => void,
): Promise<SubjectRun> {
  const measurements: Measurement[] = [];
  const failures: string[] = [];
  let growth: Growth | undefined;
  const wants = (workload: WorkloadId) => subject.workloads.includes(workload) && options.workloads.includes(workload);
  const record = (measurement: Omit<Measurement, 'subject'>) => {
    measurements.push({ subject: subject.id, ...measurement });
    progress(`  ${measurement.workload.padEnd(15)} ${formatFigure(measurement)}`);
  };
  const attempt = async (what: string, body: () => Promise<void>) => {
    try {
      await body();
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      failures.push(`${what}: ${message}`);
      progress(`  ${what.padEnd(15)} FAILED: ${message}`);
    }
  };

  if (wants('set-seq')) {
    await attempt('set-seq', () =>
      withStore(opener, temp, subject.id, async (store) =>
        record(await setSequential(store, entries, options.budgetMs)),
      ),
    );
    if (subject.group === 'stowage' && subject.persistent) {
      await attempt('set-growth', () =>
        withStore(opener, temp, `${subject.id}-small`, (small) =>
          withStore(opener, temp, `${subject.id}-large`, async (large) => {
            growth = await setGrowth(small, large, entries, options.budgetMs);
            progress(
              `  ${'set-growth'.padEnd(15)} ${(growth.small * 1000).toFixed(1)} µs → ${(growth.large * 1000).toFixed(1)} µs per write`,
            );
          }),
        ),
      );
    }
  }

  if (wants('concurrent-set')) {
    await attempt('concurrent-set', () =>
      withStore(opener, temp, subject.id, async (store) => {
        record(await concurrentSet(store, entries, options.concurrentCalls, options.budgetMs));
      }),
    );
  }

  const reads: WorkloadId[] = ['open', 'get-existing', 'get-missing', 'iterate', 'disk-size'];
  if (wants('set-chunk') || reads.some(wants)) {
    await attempt('set-chunk', async () => {
      const dir = temp.fresh(subject.id);
      let store: Store | undefined = await opener.open(dir);
      try {
        const filled = await setChunked(store, entries, options.budgetMs);
        if (wants('set-chunk')) record(filled.measurement);
        const stored = filled.stored;
        if (subject.persistent) {
          await store.close();
          store = undefined;
          if (wants('disk-size'))
            record({ workload: 'disk-size', value: diskSize(dir), unit: 'bytes', operations: stored });
          const opened = await timeOpen(opener, dir, 3);
          store = opened.store;
          if (wants('open'))
            record({ workload: 'open', value: opened.ms, unit: 'ms', operations: stored, note: 'median of 3' });
        }
        const getOptions = { rounds: options.rounds, roundMs: options.roundMs, budgetMs: options.budgetMs };
        const perPass = Math.min(stored, keysPerPass);
        if (wants('get-existing')) {
          // Equal strings, not the stored string objects: an application's lookups use keys it just built.
          const indexes = randomIndexes(perPass, stored);
          const keys = Array.from(indexes, (index) => keyOf(index));
          await attempt('get-existing', async () =>
            record(await randomGet(store as Store, 'get-existing', keys, getOptions)),
          );
        }
        if (wants('get-missing')) {
          const keys = Array.from(randomIndexes(perPass, stored, 11), (index) => missingKeyOf(index));
          await attempt('get-missing', async () =>
            record(await randomGet(store as Store, 'get-missing', keys, getOptions)),
          );
        }
        if (wants('iterate')) {
          await attempt('iterate', async () => record(await iterate(store as Store, stored, 3, options.budgetMs)));
        }
      } finally {
        await store?.close();
        temp.discard(dir);
      }
    });
  }

  if (wants('peak-memory')) {
    await attempt('peak-memory', async () => {
      const dir = temp.fresh(`${subject.id}-memory`);
      try {
        record(await peakMemory({ subject: subject.id, keys: entries.length, dir, budgetMs: options.budgetMs }));
      } finally {
        temp.discard(dir);
      }
    });
  }

  return { measurements, growth, failures };
}

async function withStore(opener: Opener, temp: TempDirs, name: string, body: (store: Store) => Promise<void>) {
  const dir = temp.fresh(name);
  try {
    const store = await opener.open(dir);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  } finally {
    temp.discard(dir);
  }
}

/** Opens a closed store `times` times; the median time, and the last store, left open. */
async function timeOpen(opener: Opener, dir: string, times: number): Promise<{ ms: number; store: Store }> {
  const durations: number[] = [];
  for (let round = 1; ; round++) {
    const started = now();
    const store = await opener.open(dir);
    durations.push(now() - started);
    if (round === times) return { ms: median(durations), store };
    await store.close();
  }
}

export function formatFigure(measurement: Omit<Measurement, 'subject'>): string {
  const value =
    measurement.unit === 'ops/s'
      ? `${formatRate(measurement.value)} ops/s`
      : measurement.unit === 'ms'
        ? `${measurement.value.toFixed(1)} ms`
        : `${(measurement.value / 2 ** 20).toFixed(1)} MiB`;
  const partial = measurement.partial ? ` (budget: ${measurement.operations} ops)` : '';
  return `${value}${partial}${measurement.note ? `  [${measurement.note}]` : ''}`;
}

export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '∞';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(value >= 100 ? 0 : 1);
}
