/**
 * The YCSB client loop, one thread as YCSB's default: load the records in chunks, then run
 * each workload for `ops` operations (or until its time budget is spent), timing every
 * operation. Keys are chosen as YCSB's CoreWorkload does; reads must find their record.
 */
import { performance } from 'node:perf_hooks';
import { type KeyChooser, ScrambledZipfian, SkewedLatest, Uniform } from './generators.js';
import { keyName, SeededRandom } from './random.js';
import type { YcsbRecord, YcsbStore } from './store.js';
import {
  type Distribution,
  fieldCount,
  maxScanLength,
  type Operation,
  operations,
  type Workload,
  type WorkloadId,
} from './workloads.js';

export interface Percentiles {
  readonly count: number;
  /** Microseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
}

export interface RunResult {
  readonly workload: WorkloadId;
  readonly distribution: Distribution;
  readonly operations: number;
  readonly elapsedMs: number;
  /** Operations per second over the whole run, client work included (as YCSB reports it). */
  readonly throughput: number;
  /** The time budget ran out before `ops` operations. */
  readonly partial: boolean;
  readonly latency: Partial<Record<Operation, Percentiles>>;
  /** Reads that found no record: a wrong store, reported, never hidden. */
  readonly notFound: number;
  /** Set instead of figures when the store cannot run this workload. */
  readonly cannot?: string;
}

export interface RunSettings {
  readonly ops: number;
  readonly budgetMs: number;
  readonly seed: number;
}

/** Records to write: a pool reused round-robin, so making values costs nothing in the loop. */
export function makeRecords(count: number, recordBytes: number, seed: number): YcsbRecord[] {
  const random = new SeededRandom(seed);
  const fieldLength = Math.max(1, Math.floor(recordBytes / fieldCount));
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from({ length: count }, () => {
    const value: Record<string, string> = {};
    for (let field = 0; field < fieldCount; field++) {
      let text = '';
      for (let i = 0; i < fieldLength; i++) text += alphabet[random.below(alphabet.length)];
      value[`field${field}`] = text;
    }
    return { value, json: JSON.stringify(value) };
  });
}

const loadChunk = 1000;

/** Loads key numbers [0, records) in chunks; returns the time taken. */
export async function loadRecords(store: YcsbStore, records: number, pool: readonly YcsbRecord[]): Promise<number> {
  const started = performance.now();
  for (let first = 0; first < records; first += loadChunk) {
    const chunk: [string, YcsbRecord][] = [];
    for (let n = first; n < Math.min(records, first + loadChunk); n++) {
      chunk.push([keyName(n), pool[n % pool.length] as YcsbRecord]);
    }
    await store.load(chunk);
  }
  return performance.now() - started;
}

/** The state a subject's runs share: how many records exist (inserts add to it). */
export interface Keyspace {
  inserted: number;
}

export async function runWorkload(
  store: YcsbStore,
  workload: Workload,
  distribution: Distribution,
  keyspace: Keyspace,
  pool: readonly YcsbRecord[],
  settings: RunSettings,
): Promise<RunResult> {
  const base = { workload: workload.id, distribution };
  if ((workload.mix.scan ?? 0) > 0 && store.scan === undefined) {
    return {
      ...base,
      operations: 0,
      elapsedMs: 0,
      throughput: 0,
      partial: false,
      latency: {},
      notFound: 0,
      cannot: `cannot scan: ${store.cannotScan ?? 'no ordered scan'}`,
    };
  }
  const random = new SeededRandom(settings.seed);
  const inserted = () => keyspace.inserted;
  // YCSB sizes the zipfian for the inserts a run expects (twice the insert proportion).
  const expectedInserts = Math.ceil(settings.ops * (workload.mix.insert ?? 0) * 2);
  const chooser: KeyChooser =
    distribution === 'uniform'
      ? new Uniform(random, inserted)
      : workload.latest
        ? new SkewedLatest(random, inserted)
        : new ScrambledZipfian(random, keyspace.inserted + expectedInserts, inserted);
  // The operations of the mix with their cumulative proportions; a draw picks the first bound above it.
  const mix: { operation: Operation; bound: number }[] = [];
  let total = 0;
  for (const operation of operations) {
    const share = workload.mix[operation] ?? 0;
    if (share === 0) continue;
    total += share;
    mix.push({ operation, bound: total });
  }
  const latencies = new Map<Operation, Float64Array>();
  const counts = new Map<Operation, number>();
  for (const operation of operations) {
    if ((workload.mix[operation] ?? 0) > 0) {
      latencies.set(operation, new Float64Array(settings.ops));
      counts.set(operation, 0);
    }
  }
  const record = (operation: Operation, ms: number) => {
    const count = counts.get(operation) as number;
    (latencies.get(operation) as Float64Array)[count] = ms * 1000;
    counts.set(operation, count + 1);
  };
  let notFound = 0;
  let poolIndex = 0;
  const nextRecord = () => pool[poolIndex++ % pool.length] as YcsbRecord;
  const started = performance.now();
  const deadline = started + settings.budgetMs;
  let done = 0;
  for (; done < settings.ops; done++) {
    if ((done & 31) === 0 && performance.now() >= deadline) break;
    const draw = random.nextDouble() * total;
    const operation = (mix.find((entry) => draw < entry.bound) ?? mix[mix.length - 1])?.operation as Operation;
    if (operation === 'insert') {
      const key = keyName(keyspace.inserted);
      const value = nextRecord();
      const t0 = performance.now();
      const written = store.write(key, value);
      if (written instanceof Promise) await written;
      record('insert', performance.now() - t0);
      keyspace.inserted++;
      continue;
    }
    const key = keyName(chooser.next());
    const t0 = performance.now();
    if (operation === 'read') {
      let value = store.read(key);
      if (value instanceof Promise) value = await value;
      if (value === undefined || value === null) notFound++;
    } else if (operation === 'update') {
      const written = store.write(key, nextRecord());
      if (written instanceof Promise) await written;
    } else if (operation === 'rmw') {
      let value = store.read(key);
      if (value instanceof Promise) value = await value;
      if (value === undefined || value === null) notFound++;
      const written = store.write(key, nextRecord());
      if (written instanceof Promise) await written;
    } else {
      const count = 1 + random.below(maxScanLength);
      const scanned = (store.scan as NonNullable<YcsbStore['scan']>)(key, count);
      if (scanned instanceof Promise) await scanned;
    }
    record(operation, performance.now() - t0);
  }
  const elapsedMs = performance.now() - started;
  const latency: Partial<Record<Operation, Percentiles>> = {};
  for (const [operation, values] of latencies) {
    const count = counts.get(operation) as number;
    if (count > 0) latency[operation] = percentiles(values.subarray(0, count));
  }
  return {
    ...base,
    operations: done,
    elapsedMs,
    throughput: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0,
    partial: done < settings.ops,
    latency,
    notFound,
  };
}

/** p50, p99 and p99.9 by the nearest-rank method. */
export function percentiles(values: Float64Array): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return { count: sorted.length, p50: rank(0.5), p99: rank(0.99), p999: rank(0.999) };
}
