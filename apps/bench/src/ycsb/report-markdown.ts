/** The YCSB run as a markdown page (results/ycsb.md). */
import { loadavg } from 'node:os';
import { formatRate } from '../run-subject.js';
import type { RunResult } from './run-workload.js';
import type { YcsbResult } from './run-ycsb.js';
import { type Distribution, type Operation, operations, runOrder, type WorkloadId, workloads } from './workloads.js';

const operationTitles: Record<Operation, string> = {
  read: 'read',
  update: 'update',
  insert: 'insert',
  scan: 'scan',
  rmw: 'read-modify-write',
};

export function renderYcsbMarkdown(result: YcsbResult, command: string): string {
  const { machine, settings } = result;
  const lines: string[] = ['# YCSB for Node: Stowage engines and peers', ''];
  lines.push(`Command: \`${command}\``, '');
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ${machine.date}; load average ${machine.loadAverage.toFixed(1)} at the start, ${loadavg()[0]?.toFixed(1)} at the end; took ${(result.durationMs / 1000).toFixed(0)} s. The machine is shared: compare subjects within one run, never across runs.`,
    '',
  );
  lines.push(
    `${settings.records.toLocaleString('en-US')} records of ${settings.recordBytes} bytes (10 fields), loaded in chunks of 1,000; then up to ${settings.ops.toLocaleString('en-US')} operations per workload and distribution, one client, at most ${settings.budgetMs / 1000} s each (a figure marked * stopped at that budget); seed ${settings.seed}.`,
    '',
  );
  const ran = (workload: WorkloadId) => settings.workloads.includes(workload);
  const columns = settings.distributions.flatMap((distribution) =>
    runOrder.filter(ran).map((workload) => ({ workload, distribution })),
  );
  lines.push('## Throughput (operations per second, higher is better)', '');
  lines.push(
    `| subject | load (records/s) | ${columns.map((c) => `${c.workload} ${distributionLabel(c.workload, c.distribution)}`).join(' | ')} | peak RSS |`,
  );
  lines.push(`|---|--:|${columns.map(() => '--:').join('|')}|--:|`);
  for (const subject of result.subjects) {
    const load =
      subject.loadMs === undefined
        ? '—'
        : `${formatRate((settings.records * 1000) / Math.max(subject.loadMs, 1e-3))}${subject.loadNote ? '†' : ''}`;
    const cells = columns.map((c) => throughputCell(find(subject.runs, c.workload, c.distribution)));
    const rss = subject.peakRssMiB === undefined ? '—' : `${subject.peakRssMiB.toFixed(0)} MiB`;
    lines.push(`| ${subject.label} | ${load} | ${cells.join(' | ')} | ${rss} |`);
  }
  lines.push('');
  const noted = result.subjects.filter((subject) => subject.loadNote !== undefined && subject.loadMs !== undefined);
  if (noted.length > 0) {
    lines.push('† loaded another way than the default write path:', '');
    for (const subject of noted) lines.push(`- ${subject.label}: ${subject.loadNote}`);
    lines.push('');
  }

  for (const distribution of settings.distributions) {
    for (const workload of workloads.filter((w) => ran(w.id))) {
      const used = operations.filter((operation) => (workload.mix[operation] ?? 0) > 0);
      lines.push(
        `### Latency, workload ${workload.title}, ${distributionLabel(workload.id, distribution)} (µs: p50 / p99 / p99.9)`,
        '',
      );
      lines.push(`| subject | ${used.map((operation) => operationTitles[operation]).join(' | ')} |`);
      lines.push(`|---|${used.map(() => '--:').join('|')}|`);
      for (const subject of result.subjects) {
        const run = find(subject.runs, workload.id, distribution);
        const cells = used.map((operation) => {
          if (run?.cannot) return 'cannot scan';
          const figures = run?.latency[operation];
          return figures ? `${micros(figures.p50)} / ${micros(figures.p99)} / ${micros(figures.p999)}` : '—';
        });
        lines.push(`| ${subject.label} | ${cells.join(' | ')} |`);
      }
      lines.push('');
    }
  }

  const cannot = result.subjects.flatMap((subject) => {
    const run = subject.runs.find((candidate) => candidate.cannot !== undefined);
    return run ? [`- ${subject.label}: ${run.cannot}`] : [];
  });
  if (cannot.length > 0) lines.push('## Subjects that cannot run workload E', '', ...cannot, '');

  const troubles = result.subjects.filter((subject) => subject.error !== undefined || subject.retried !== undefined);
  const wrong = result.subjects.flatMap((subject) =>
    subject.runs.filter((run) => run.notFound > 0).map((run) => ({ subject, run })),
  );
  if (troubles.length > 0 || wrong.length > 0) {
    lines.push('## Skipped, failed or wrong', '');
    for (const subject of troubles) {
      const retried = subject.retried === undefined ? '' : `its first child died (${subject.retried}); `;
      lines.push(`- ${subject.label}: ${retried}${subject.error ?? 'the figures above are from a second child'}`);
    }
    for (const { subject, run } of wrong) {
      lines.push(`- **${subject.label}, ${run.workload} ${run.distribution}: ${run.notFound} reads found no record**`);
    }
    lines.push('');
  }

  lines.push('## How to read this', '');
  lines.push(
    "- The workloads are YCSB's core A-F with their mixes; key choice as YCSB's CoreWorkload: scrambled zipfian (constant 0.99, FNV-1a 64 hashed, sized for the run's expected inserts, numbers past the inserted records drawn again), D's zipfian column is YCSB's `latest` (skewed to the newest inserts), uniform over the records inserted so far.",
    '- Keys are `user` + the 16 hex digits of the FNV-1a 64 hash of the record number (hashed inserts, as YCSB by default). An update or insert writes a whole record: a key-value store has no fields.',
    '- One store per subject, in a fresh process: load, then A, B, C, F, D, E under zipfian, then again under uniform (inserts of D and E stay in the store). Scans read 1-100 records (uniform) in key order from a chosen key.',
    '- Throughput counts the client work (key choice, hashing) as YCSB does; latencies time the store call alone. Raw engines and peers other than keyv store the JSON text of a record; PersistentMap and keyv take the object and encode it themselves.',
    '- A subject that has no ordered scan shows E as "cannot scan" with the reason. Every read must find its record; a read that does not is listed above as wrong.',
  );
  return `${lines.join('\n')}\n`;
}

export function distributionLabel(workload: WorkloadId, distribution: Distribution): string {
  return distribution === 'zipfian' && workload === 'D' ? 'latest' : distribution;
}

function find(runs: readonly RunResult[], workload: WorkloadId, distribution: Distribution): RunResult | undefined {
  return runs.find((run) => run.workload === workload && run.distribution === distribution);
}

function throughputCell(run: RunResult | undefined): string {
  if (!run) return '—';
  if (run.cannot) return 'cannot scan';
  const wrong = run.notFound > 0 ? ' **wrong**' : '';
  return `${formatRate(run.throughput)}${run.partial ? '*' : ''}${wrong}`;
}

function micros(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  if (value >= 100) return value.toFixed(0);
  return value.toFixed(1);
}
