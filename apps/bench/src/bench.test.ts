import { describe, expect, it } from 'vitest';
import { runBench } from './bench.js';
import { measureOpenBig } from './open-big.js';
import { allExtras, type BenchOptions, parseOptions } from './options.js';
import { renderMarkdown } from './report-markdown.js';
import { renderSvg } from './report-svg.js';
import type { BenchResult } from './results.js';
import { allWorkloads, type WorkloadId } from './subject.js';
import { subjects } from './subjects/registry.js';
import { evaluateTargets } from './targets.js';
import { TempDirs } from './temp-dirs.js';

// Every code path of the bench at a tiny size: the result's shape is checked, never its speed.
const tinyOptions = (argv: string[]): BenchOptions => ({
  ...parseOptions(['200', '--no-write', ...argv], ''),
  roundMs: 1,
});

describe('the bench at 200 keys', () => {
  let result: BenchResult;
  const workloads: readonly WorkloadId[] = allWorkloads.filter((workload) => workload !== 'peak-memory');

  it('runs every subject without skipping or failing one', async () => {
    result = await runBench(
      tinyOptions(['--rounds', '2', '--budget', '0.5', '--workloads', [...workloads, ...allExtras].join(',')]),
    );
    expect(result.subjects.map((subject) => subject.id)).toEqual(subjects.map((subject) => subject.id));
    for (const subject of result.subjects)
      expect({ id: subject.id, status: subject.status, reasons: subject.reasons }).toEqual({
        id: subject.id,
        status: 'ran',
        reasons: [],
      });
    // Every subject (13 engines and peers, several in child processes) runs every workload:
    // about 45 s alone on 2 cores, several minutes when the machine is shared.
  }, 300_000);

  it('gives every subject a positive figure for each workload it claims', () => {
    for (const subject of subjects) {
      for (const workload of subject.workloads.filter((claimed) => workloads.includes(claimed))) {
        const figure = result.measurements.find((m) => m.subject === subject.id && m.workload === workload);
        expect(figure, `${subject.id} ${workload}`).toBeDefined();
        expect(figure?.value, `${subject.id} ${workload}`).toBeGreaterThan(0);
        expect(Number.isFinite(figure?.value), `${subject.id} ${workload}`).toBe(true);
        expect(figure?.note ?? '', `${subject.id} ${workload}`).not.toContain('WRONG');
      }
    }
  });

  it('measures per-write growth for the persistent engines and the extras', () => {
    for (const id of ['sqlite', 'csv', 'log-none', 'log-batch'])
      expect(result.growth[id]?.ratio, id).toBeGreaterThan(0);
    expect(result.cacheHit.figures?.persistentMap).toBeGreaterThan(0);
    expect(result.cacheHit.figures?.awaitedMap).toBeGreaterThan(0);
    expect(result.keydir.figures?.mapPerKey).toBeGreaterThan(0);
    expect(result.keydir.figures?.logPerKey).toBeGreaterThan(0);
    expect(result.openBig.skipped).toContain('--big');
    // Every ratio target between two subjects got a figure from alternating rounds.
    const pairs = Object.entries(result.paired);
    expect(pairs.length).toBe(27);
    for (const [key, figure] of pairs)
      expect('ratio' in figure && figure.ratio > 0, `${key}: ${JSON.stringify(figure)}`).toBe(true);
  });

  it('judges every target that has both sides measured', () => {
    const targets = evaluateTargets(result);
    expect(targets.length).toBeGreaterThanOrEqual(16);
    const unmeasured = targets.filter((target) => target.status === 'n/a').map((target) => target.description);
    // The tiny run leaves out the 1,000,000-key open and the peak-memory workload, and nothing else.
    expect(unmeasured).toEqual([
      'open of a 1,000,000-key log store from hint files vs a full scan',
      'PersistentMap LRU (10k) peak RSS rise vs the full cache, same data (memory engine)',
    ]);
    for (const target of targets.filter((t) => t.status !== 'n/a')) expect(target.ratio).toBeGreaterThan(0);
  });

  it('renders a table with a row per subject and a bar per figure', () => {
    const markdown = renderMarkdown(result, evaluateTargets(result), 'pnpm bench 200');
    for (const subject of subjects) expect(markdown).toContain(`| ${subject.label} |`);
    const svg = renderSvg(result);
    expect(svg.startsWith('<svg')).toBe(true);
    const bars = result.measurements.filter((m) => m.unit === 'ops/s').length;
    expect(svg.match(/<rect x="290"/g)?.length).toBe(bars);
  });
});

describe('open of a big log store', () => {
  it('times a full scan and an open from the hint files a merge wrote', async () => {
    const temp = new TempDirs();
    try {
      // Small data files, so a few thousand keys already fill many immutable files.
      const result = await measureOpenBig(3000, temp, () => {}, 16 * 1024);
      expect(result.skipped).toBeUndefined();
      expect(result.figures?.keys).toBe(3000);
      expect(result.figures?.hintFiles).toBeGreaterThan(1);
      expect(result.figures?.scanMs).toBeGreaterThan(0);
      expect(result.figures?.hintMs).toBeGreaterThan(0);
    } finally {
      temp.remove();
    }
  });
});

describe('peak memory', () => {
  it('is measured in a child process that stores every key', async () => {
    const result = await runBench(tinyOptions(['--only', 'map,sqlite', '--workloads', 'peak-memory']));
    const figures = result.measurements.filter((m) => m.workload === 'peak-memory');
    expect(figures.map((m) => [m.subject, m.operations])).toEqual([
      ['map', 200],
      ['sqlite', 200],
    ]);
    for (const figure of figures) expect(figure.value).toBeGreaterThanOrEqual(0);
  });
});

describe('options', () => {
  it('reads the key count, quick mode and filters', () => {
    const options = parseOptions(['--quick', '--only', 'map,lmdb', '--workloads', 'get-existing,cache-hit'], '/out');
    expect([options.keys, options.subjects, options.workloads, options.extras, options.resultsDir]).toEqual([
      5000,
      ['map', 'lmdb'],
      ['get-existing'],
      ['cache-hit'],
      '/out',
    ]);
    expect(parseOptions([], '/out').keys).toBe(100_000);
    expect(parseOptions(['1000000'], '/out').big).toBe(true);
    expect(allExtras).toContain('open-big');
  });

  it('refuses an unknown workload or a bad key count', () => {
    expect(() => parseOptions(['--workloads', 'nope'], '')).toThrow(/unknown workload nope/);
    expect(() => parseOptions(['-5'], '')).toThrow();
    expect(() => parseOptions(['abc'], '')).toThrow(/positive integer/);
  });
});
