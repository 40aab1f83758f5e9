/** The run as a markdown page: printed to the terminal and written to results/latest.md. */
import { loadavg } from 'node:os';
import type { Measurement } from './measure.js';
import type { BenchResult } from './results.js';
import { formatRate } from './run-subject.js';
import type { WorkloadId } from './subject.js';
import type { TargetOutcome } from './targets.js';

export const rateWorkloads: readonly WorkloadId[] = [
  'set-seq',
  'set-chunk',
  'concurrent-set',
  'get-existing',
  'get-missing',
  'iterate',
];

const workloadTitles: Record<WorkloadId, string> = {
  'set-seq': 'sequential set',
  'set-chunk': 'set, chunks of 1,000',
  'concurrent-set': 'concurrent set',
  'get-existing': 'get existing',
  'get-missing': 'get missing',
  iterate: 'iterate',
  open: 'open (ms)',
  'disk-size': 'size on disk',
  'peak-memory': 'peak RSS rise',
};

export function workloadTitle(workload: WorkloadId): string {
  return workloadTitles[workload];
}

export function renderMarkdown(result: BenchResult, targets: readonly TargetOutcome[], command: string): string {
  const { machine, options } = result;
  const lines: string[] = [];
  const ran = result.subjects.filter((subject) => subject.status !== 'skipped');
  const find = (subject: string, workload: WorkloadId) =>
    result.measurements.find((m) => m.subject === subject && m.workload === workload);

  lines.push('# Stowage bench: latest run', '');
  lines.push(`Command: \`${command}\``, '');
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ${machine.date}; load average ${machine.loadAverage.toFixed(1)} at the start, ${loadavg()[0]?.toFixed(1)} at the end; took ${(result.durationMs / 1000).toFixed(0)} s.`,
    '',
  );
  lines.push(
    `${options.keys.toLocaleString('en-US')} keys, values are JSON objects of about 110 bytes; at most ${options.budgetMs / 1000} s per workload per subject (a figure marked * stopped at that budget and is the rate of the operations done).`,
    '',
  );

  const rateColumns = rateWorkloads.filter((workload) => options.workloads.includes(workload));
  if (rateColumns.length > 0) lines.push('## Operations per second (higher is better)', '');
  if (rateColumns.length > 0) {
    lines.push(`| subject | ${rateColumns.map(workloadTitle).join(' | ')} |`);
    lines.push(`|---|${rateColumns.map(() => '--:').join('|')}|`);
    for (const subject of ran) {
      const cells = rateColumns.map((workload) => rateCell(find(subject.id, workload)));
      lines.push(`| ${subject.label} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }

  const otherColumns = (['open', 'disk-size', 'peak-memory'] as const).filter((workload) =>
    options.workloads.includes(workload),
  );
  if (otherColumns.length > 0) {
    lines.push('## Open time, size and memory (lower is better)', '');
    lines.push(`| subject | ${otherColumns.map(workloadTitle).join(' | ')} | heap retained |`);
    lines.push(`|---|${otherColumns.map(() => '--:').join('|')}|--:|`);
    for (const subject of ran) {
      const cells = otherColumns.map((workload) => otherCell(find(subject.id, workload)));
      const heap = heapCell(find(subject.id, 'peak-memory')?.note);
      lines.push(`| ${subject.label} | ${cells.join(' | ')} | ${heap} |`);
    }
    lines.push('');
  }

  const grown = Object.entries(result.growth);
  if (grown.length > 0) {
    const labels = new Map(result.subjects.map((subject) => [subject.id, subject.label]));
    lines.push('## Per-write time as the store grows (sequential set)', '');
    lines.push(
      `| subject | at ${(options.keys / 10).toLocaleString('en-US')} keys | at ${options.keys.toLocaleString('en-US')} keys | ratio |`,
    );
    lines.push('|---|--:|--:|--:|');
    for (const [id, growth] of grown) {
      lines.push(
        `| ${labels.get(id) ?? id} | ${micros(growth.small)} | ${micros(growth.large)} | ${growth.ratio.toFixed(2)}x |`,
      );
    }
    lines.push('');
  }

  lines.push('## Targets (ratios within this run)', '');
  lines.push('| issue | target | required | measured | status | detail |');
  lines.push('|--:|---|--:|--:|---|---|');
  for (const target of targets) {
    const ratio = target.ratio === undefined ? '—' : `${target.ratio.toFixed(target.ratio >= 10 ? 0 : 2)}x`;
    lines.push(
      `| ${target.issue} | ${target.description} | ${target.required} | ${ratio} | ${target.status} | ${target.detail} |`,
    );
  }
  lines.push('');

  const cacheHit = result.cacheHit.figures;
  if (cacheHit) {
    lines.push(
      `Cache-hit get, alternating rounds: PersistentMap ${formatRate(cacheHit.persistentMap)}/s, awaited Map ${formatRate(cacheHit.awaitedMap)}/s, plain Map ${formatRate(cacheHit.plainMap)}/s.`,
      '',
    );
  }

  const troubles = result.subjects.filter((subject) => subject.reasons.length > 0);
  if (troubles.length > 0) {
    lines.push('## Skipped or failed', '');
    for (const subject of troubles) lines.push(`- ${subject.label} (${subject.status}): ${subject.reasons.join('; ')}`);
    lines.push('');
  }
  const wrong = result.measurements.filter((m) => m.note?.includes('WRONG'));
  for (const m of wrong) lines.push(`- **${m.subject} ${m.workload}: ${m.note}**`);
  if (wrong.length > 0) lines.push('');

  lines.push('## How to read this', '');
  lines.push(
    "- Targets between two subjects are judged on a second measurement of both sides side by side in a fresh process (alternating rounds of gets, alternating windows of writes), since the per-subject table is measured minutes apart; the detail gives the table's ratio too.",
    '- Raw engines and better-sqlite3, lmdb, classic-level and the minimal log get values already encoded as JSON text and return them undecoded; PersistentMap, Map and keyv take and return objects (their codec cost is theirs).',
    '- Per-write time as the store grows: two stores, filled in chunks to just under N/10 and N keys; windows of 200 sequential sets of new keys alternate between them; median window of each.',
    '- Gets: a warm-up pass, then rounds of at least a set duration over up to 50,000 random keys, median round; the store was closed and reopened first (persistent subjects).',
    '- Open: median of 3 opens of the closed store filled by the chunked set (the OS page cache is warm).',
    '- Size on disk: allocated blocks of the closed store. Peak RSS rise: from just before opening to the end of filling, reopening and reading every key, in a fresh process; heap retained: JS heap + buffers with the store open minus after it is closed, after GC.',
  );
  return `${lines.join('\n')}\n`;
}

function micros(ms: number): string {
  return `${(ms * 1000).toFixed(1)} µs`;
}

function rateCell(measurement: Measurement | undefined): string {
  if (!measurement) return '—';
  const wrong = measurement.note?.includes('WRONG') ? ' **wrong**' : '';
  return `${formatRate(measurement.value)}${measurement.partial ? '*' : ''}${wrong}`;
}

/** The heap figure from the peak-memory note; a negative one (GC noise around zero) shows as ~0. */
function heapCell(note: string | undefined): string {
  const match = note?.match(/(-?[\d.]+) MiB/);
  if (!match?.[1]) return '—';
  return Number(match[1]) <= 0 ? '~0' : `${match[1]} MiB`;
}

function otherCell(measurement: Measurement | undefined): string {
  if (!measurement) return '—';
  if (measurement.unit === 'ms') return measurement.value.toFixed(1);
  const mib = measurement.value / 2 ** 20;
  return `${mib.toFixed(1)} MiB${measurement.partial ? '*' : ''}`;
}
