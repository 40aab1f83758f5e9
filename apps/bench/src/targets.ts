/**
 * The speed targets the issues set, as ratios of figures measured in the same run. Each
 * target says what it compares, the ratio it needs, and whether this run met it; a target
 * whose subject did not run says why instead of guessing.
 */
import type { BenchResult } from './results.js';
import type { WorkloadId } from './subject.js';

export interface TargetOutcome {
  readonly issue: number;
  readonly description: string;
  /** e.g. `≥ 0.8x`. */
  readonly required: string;
  /** The measured ratio, when both sides were measured. */
  readonly ratio?: number;
  readonly status: 'met' | 'not met' | 'n/a';
  readonly detail: string;
}

type Compare = 'at least' | 'at most' | 'more than';

export interface RatioTarget {
  readonly issue: number;
  readonly description: string;
  readonly subject: string;
  readonly reference: string;
  readonly workload: WorkloadId;
  readonly referenceWorkload?: WorkloadId;
  readonly compare: Compare;
  readonly bound: number;
}

export const ratioTargets: readonly RatioTarget[] = [
  {
    issue: 3,
    description: 'sqlite engine many-key set vs better-sqlite3, one transaction per chunk',
    subject: 'sqlite',
    reference: 'better-sqlite3',
    workload: 'set-chunk',
    compare: 'at least',
    bound: 0.8,
  },
  {
    issue: 3,
    description: 'sqlite engine raw get vs a better-sqlite3 prepared-statement get',
    subject: 'sqlite',
    reference: 'better-sqlite3',
    workload: 'get-existing',
    compare: 'at least',
    bound: 0.8,
  },
  {
    issue: 3,
    description: 'sqlite engine sequential set vs better-sqlite3 autocommit inserts',
    subject: 'sqlite',
    reference: 'better-sqlite3',
    workload: 'set-seq',
    compare: 'at least',
    bound: 0.8,
  },
  {
    issue: 3,
    description: 'sqlite engine sequential set vs keyv + @keyv/sqlite',
    subject: 'sqlite',
    reference: 'keyv-sqlite',
    workload: 'set-seq',
    compare: 'at least',
    bound: 50,
  },
  {
    issue: 3,
    description: 'sqlite engine many-key set vs keyv + @keyv/sqlite',
    subject: 'sqlite',
    reference: 'keyv-sqlite',
    workload: 'set-chunk',
    compare: 'at least',
    bound: 50,
  },
  {
    issue: 3,
    description: 'sqlite engine concurrent set vs keyv + @keyv/sqlite',
    subject: 'sqlite',
    reference: 'keyv-sqlite',
    workload: 'concurrent-set',
    compare: 'at least',
    bound: 50,
  },
  {
    issue: 3,
    description: 'csv engine sequential set vs sqlite engine sequential set',
    subject: 'csv',
    reference: 'sqlite',
    workload: 'set-seq',
    compare: 'at least',
    bound: 1,
  },
  {
    issue: 3,
    description: 'csv engine sequential set vs sqlite engine, same durability (csv none vs sqlite NORMAL)',
    subject: 'csv-none',
    reference: 'sqlite',
    workload: 'set-seq',
    compare: 'at least',
    bound: 1,
  },
  {
    issue: 3,
    description: 'csv engine sequential set vs sqlite engine, same durability (csv batch vs sqlite FULL)',
    subject: 'csv',
    reference: 'sqlite-full',
    workload: 'set-seq',
    compare: 'at least',
    bound: 1,
  },
  {
    issue: 4,
    description: 'log engine raw get vs the minimal log',
    subject: 'log-batch',
    reference: 'minimal-log',
    workload: 'get-existing',
    compare: 'at least',
    bound: 0.9,
  },
  {
    issue: 4,
    description: 'log engine sequential set (durability none) vs the minimal log',
    subject: 'log-none',
    reference: 'minimal-log',
    workload: 'set-seq',
    compare: 'at least',
    bound: 0.8,
  },
  {
    issue: 4,
    description: 'log engine many-key set (batch) vs lmdb, one transaction per chunk',
    subject: 'log-batch',
    reference: 'lmdb',
    workload: 'set-chunk',
    compare: 'at least',
    bound: 1,
  },
  {
    issue: 4,
    description: 'log engine 10,000 concurrent sets (batch) vs lmdb concurrent puts',
    subject: 'log-batch',
    reference: 'lmdb',
    workload: 'concurrent-set',
    compare: 'at least',
    bound: 1,
  },
  {
    issue: 4,
    description: 'log engine 10,000 concurrent sets (batch) vs one fsync per write',
    subject: 'log-batch',
    reference: 'fsync-probe',
    workload: 'concurrent-set',
    referenceWorkload: 'set-seq',
    compare: 'more than',
    bound: 20,
  },
  {
    issue: 11,
    description: 'segment engine many-key set (batch) vs classic-level batched writes, one batch per chunk',
    subject: 'segment-batch',
    reference: 'classic-level',
    workload: 'set-chunk',
    compare: 'at least',
    bound: 1,
  },
  {
    issue: 11,
    description: 'segment engine get of existing keys vs classic-level get',
    subject: 'segment-batch',
    reference: 'classic-level',
    workload: 'get-existing',
    compare: 'at least',
    bound: 1,
  },
  {
    issue: 11,
    description: 'segment engine get of missing keys vs classic-level get',
    subject: 'segment-batch',
    reference: 'classic-level',
    workload: 'get-missing',
    compare: 'at least',
    bound: 1,
  },
  {
    issue: 11,
    description: 'segment engine iteration vs classic-level iterators',
    subject: 'segment-batch',
    reference: 'classic-level',
    workload: 'iterate',
    compare: 'at least',
    bound: 1,
  },
  {
    issue: 12,
    description: 'maplet exact mode over the log: get of missing keys vs lmdb get',
    subject: 'maplet-log',
    reference: 'lmdb',
    workload: 'get-missing',
    compare: 'at least',
    bound: 1,
  },
  ...mapWriteTargets(),
  {
    issue: 13,
    description: 'PersistentMap LRU cache hit vs full-cache hit (memory engine, get)',
    subject: 'pmap-memory-lru-hit',
    reference: 'pmap-memory-full',
    workload: 'get-existing',
    compare: 'at least',
    bound: 0.5,
  },
  {
    issue: 13,
    description: 'PersistentMap LRU miss vs the raw engine get (memory; ≥ 0.83x rate = at most 1.2x the time)',
    subject: 'pmap-memory-lru-miss',
    reference: 'memory',
    workload: 'get-existing',
    compare: 'at least',
    bound: 0.83,
  },
  {
    issue: 13,
    description: 'PersistentMap LRU (10k) peak RSS rise vs the full cache, same data (memory engine)',
    subject: 'pmap-memory-lru',
    reference: 'pmap-memory-full',
    workload: 'peak-memory',
    compare: 'at most',
    bound: 1,
  },
  {
    issue: 13,
    description: 'PersistentMap full-cache open vs the raw engine open (log, time)',
    subject: 'pmap-log',
    reference: 'log-batch',
    workload: 'open',
    compare: 'at most',
    bound: 1.5,
  },
];

/** Issue 13: writes through PersistentMap at least 0.8x the raw engine's, per engine and write workload. */
function mapWriteTargets(): RatioTarget[] {
  const engines = [
    { map: 'pmap-memory-full', raw: 'memory', name: 'memory' },
    { map: 'pmap-log', raw: 'log-batch', name: 'log (batch)' },
    { map: 'pmap-sqlite', raw: 'sqlite', name: 'sqlite' },
  ];
  const workloads: [WorkloadId, string][] = [
    ['set-seq', 'sequential set'],
    ['set-chunk', 'set in chunks of 1,000'],
    ['concurrent-set', '10,000 concurrent sets'],
  ];
  return engines.flatMap((engine) =>
    workloads.map(([workload, title]) => ({
      issue: 13,
      description: `PersistentMap(${engine.name}) ${title} vs the raw engine`,
      subject: engine.map,
      reference: engine.raw,
      workload,
      compare: 'at least' as const,
      bound: 0.8,
    })),
  );
}

export function evaluateTargets(result: BenchResult): TargetOutcome[] {
  const outcomes: TargetOutcome[] = [];
  const cacheHit = result.cacheHit.figures;
  outcomes.push(
    cacheHit
      ? judge(
          2,
          'PersistentMap(memory, full) cache-hit get vs awaited Map get (alternating rounds)',
          'at least',
          0.8,
          cacheHit.persistentMap / cacheHit.awaitedMap,
          `${cacheHit.rounds} alternating rounds, medians (fastest rounds: ${(cacheHit.bestPersistentMap / cacheHit.bestAwaitedMap).toFixed(2)}x)`,
        )
      : missing(
          2,
          'PersistentMap(memory, full) cache-hit get vs awaited Map get',
          '≥ 0.8x',
          result.cacheHit.skipped ?? 'not measured',
        ),
  );
  for (const target of ratioTargets) outcomes.push(evaluateRatio(result, target));

  const csvGrowth = result.growth.csv;
  const keysNote =
    result.options.keys === 100_000
      ? 'at 10,000 vs 100,000 keys'
      : `at ${result.options.keys / 10} vs ${result.options.keys} keys (the issue says 10,000 vs 100,000)`;
  outcomes.push(
    csvGrowth
      ? judge(
          3,
          'csv engine per-write time as the store grows',
          'at most',
          1.3,
          csvGrowth.ratio,
          `${keysNote}: ${micro(csvGrowth.small)} → ${micro(csvGrowth.large)} per write`,
        )
      : missing(
          3,
          'csv engine per-write time as the store grows',
          '≤ 1.3x',
          subjectGap(result, 'csv', 'no per-write growth figure'),
        ),
  );

  const big = result.openBig.figures;
  outcomes.push(
    big
      ? judge(
          4,
          `open of a ${big.keys.toLocaleString('en-US')}-key log store from hint files vs a full scan (time)`,
          'at most',
          0.4,
          big.hintMs / big.scanMs,
          `${big.hintMs.toFixed(0)} ms vs ${big.scanMs.toFixed(0)} ms, ${big.hintFiles} hint files`,
        )
      : missing(
          4,
          'open of a 1,000,000-key log store from hint files vs a full scan',
          '≤ 0.4x',
          result.openBig.skipped ?? 'not measured',
        ),
  );

  const keydir = result.keydir.figures;
  outcomes.push(
    keydir
      ? judge(
          4,
          'log engine key directory memory per key vs Map<string, number>',
          'at most',
          2,
          keydir.logPerKey / keydir.mapPerKey,
          `${keydir.logPerKey.toFixed(0)} vs ${keydir.mapPerKey.toFixed(0)} bytes per key at ${keydir.keys.toLocaleString('en-US')} keys`,
        )
      : missing(
          4,
          'log engine key directory memory per key vs Map<string, number>',
          '≤ 2x',
          result.keydir.skipped ?? 'not measured',
        ),
  );
  // Grouped by issue, in the order each issue lists them.
  return outcomes.sort((a, b) => a.issue - b.issue);
}

/** The key of a target's alternating-rounds figure in `BenchResult.paired`. */
export function pairKey(target: RatioTarget): string {
  return `${target.subject}:${target.workload}/${target.reference}:${target.referenceWorkload ?? target.workload}`;
}

function evaluateRatio(result: BenchResult, target: RatioTarget): TargetOutcome {
  const symbol = target.compare === 'at least' ? '≥' : target.compare === 'at most' ? '≤' : '>';
  const required = `${symbol} ${target.bound}x`;
  const mine = result.measurements.find((m) => m.subject === target.subject && m.workload === target.workload);
  const referenceWorkload = target.referenceWorkload ?? target.workload;
  const theirs = result.measurements.find((m) => m.subject === target.reference && m.workload === referenceWorkload);
  const paired = result.paired[pairKey(target)];
  if (paired && 'ratio' in paired) {
    const table = mine && theirs ? `; the table's figures give ${formatRatio(mine.value / theirs.value)}` : '';
    return judge(
      target.issue,
      target.description,
      target.compare,
      target.bound,
      paired.ratio,
      `${paired.detail}${table}`,
    );
  }
  if (!mine)
    return missing(
      target.issue,
      target.description,
      required,
      subjectGap(result, target.subject, `no ${target.workload} figure`),
    );
  if (!theirs)
    return missing(
      target.issue,
      target.description,
      required,
      subjectGap(result, target.reference, `no ${referenceWorkload} figure`),
    );
  const partial = [mine, theirs]
    .filter((m) => m.partial)
    .map((m) => `${m.subject} stopped at its time budget after ${m.operations} ops`);
  const detail = [`${target.subject} ${target.workload} / ${target.reference} ${referenceWorkload}`, ...partial].join(
    '; ',
  );
  return judge(target.issue, target.description, target.compare, target.bound, mine.value / theirs.value, detail);
}

function judge(
  issue: number,
  description: string,
  compare: Compare,
  bound: number,
  ratio: number,
  detail: string,
): TargetOutcome {
  const met = compare === 'at least' ? ratio >= bound : compare === 'at most' ? ratio <= bound : ratio > bound;
  const symbol = compare === 'at least' ? '≥' : compare === 'at most' ? '≤' : '>';
  return { issue, description, required: `${symbol} ${bound}x`, ratio, status: met ? 'met' : 'not met', detail };
}

function missing(issue: number, description: string, required: string, detail: string): TargetOutcome {
  return { issue, description, required, status: 'n/a', detail };
}

function subjectGap(result: BenchResult, id: string, otherwise: string): string {
  const status = result.subjects.find((subject) => subject.id === id);
  if (!status) return `${id} was not selected`;
  if (status.status === 'skipped') return `${id} skipped: ${status.reasons.join('; ')}`;
  if (status.reasons.length > 0) return `${id}: ${status.reasons.join('; ')}`;
  return otherwise;
}

export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(ratio >= 10 ? 0 : 2)}x`;
}

function micro(ms: number): string {
  return `${(ms * 1000).toFixed(1)} µs`;
}
