import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeMachine } from '../machine.js';
import { ScrambledZipfian, SkewedLatest, Uniform, Zipfian } from './generators.js';
import { parseYcsbOptions } from './options.js';
import { fnvHash64, keyName, SeededRandom } from './random.js';
import { renderYcsbMarkdown } from './report-markdown.js';
import { renderYcsbSvg } from './report-svg.js';
import { runYcsbSubject, type YcsbSettings } from './run-subject.js';
import { ycsbSubjects } from './subjects.js';
import { distributions, runOrder, workloads } from './workloads.js';

const draws = (next: () => number, count: number) => Array.from({ length: count }, next);

function histogram(values: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** YCSB's Utils.fnvhash64 written the obvious way with BigInt, to check the 32-bit-halves version. */
function referenceFnv(value: number): bigint {
  const mask = (1n << 64n) - 1n;
  let hash = 0xcbf29ce484222325n;
  let rest = BigInt(value);
  for (let byte = 0; byte < 8; byte++) {
    hash ^= rest & 0xffn;
    hash = (hash * 0x100000001b3n) & mask;
    rest >>= 8n;
  }
  const signed = hash >= 1n << 63n ? hash - (1n << 64n) : hash;
  return signed < 0n ? -signed & mask : signed;
}

describe('YCSB key generators', () => {
  it('hashes like YCSB fnvhash64 (checked against a BigInt version)', () => {
    for (const value of [0, 1, 2, 255, 256, 65_537, 99_999, 2 ** 32 - 1, 2 ** 32, 9_999_999_999, 2 ** 52 + 3]) {
      const { high, low } = fnvHash64(value);
      expect((BigInt(high) << 32n) | BigInt(low)).toBe(referenceFnv(value));
    }
    expect(new Set(Array.from({ length: 1000 }, (_, n) => keyName(n))).size).toBe(1000);
  });

  it('gives the same sequence for the same seed and another for another seed', () => {
    const sequence = (seed: number) => {
      const random = new SeededRandom(seed);
      const zipfian = new ScrambledZipfian(random, 10_000);
      return draws(() => zipfian.next(), 200);
    };
    expect(sequence(7)).toEqual(sequence(7));
    expect(sequence(7)).not.toEqual(sequence(8));
    const doubles = draws(() => new SeededRandom(3).nextDouble(), 1);
    expect(doubles[0]).toBeGreaterThanOrEqual(0);
    expect(doubles[0]).toBeLessThan(1);
  });

  it('draws a zipfian: item i about i^-0.99 as often as item 0', () => {
    const zipfian = new Zipfian(new SeededRandom(1), 1000);
    const counts = histogram(draws(() => zipfian.next(), 200_000));
    const top = counts.get(0) ?? 0;
    // ζ(1000, 0.99) ≈ 7.2: item 0 is drawn about 14% of the time.
    expect(top / 200_000).toBeGreaterThan(0.12);
    expect(top / 200_000).toBeLessThan(0.16);
    for (const rank of [1, 9, 99]) {
      const expected = (rank + 1) ** -0.99;
      const measured = (counts.get(rank) ?? 0) / top;
      expect(measured, `item ${rank}`).toBeGreaterThan(expected * 0.75);
      expect(measured, `item ${rank}`).toBeLessThan(expected * 1.3);
    }
    expect(Math.max(...counts.keys())).toBeLessThan(1000);
  });

  it('scrambles the zipfian over the key space: one hot key with YCSB share, spread out, all in range', () => {
    const items = 100_000;
    const zipfian = new ScrambledZipfian(new SeededRandom(2), items);
    const values = draws(() => zipfian.next(), 100_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(items);
    const sorted = [...histogram(values).entries()].sort((a, b) => b[1] - a[1]);
    const [hottest, hottestCount] = sorted[0] as [number, number];
    // Item 0 of a zipfian over 10^10 items has probability 1/ζ(10^10, 0.99) = 1/26.47 ≈ 3.8%.
    expect(hottestCount / values.length).toBeGreaterThan(0.03);
    expect(hottestCount / values.length).toBeLessThan(0.046);
    // The ten hottest keys are scattered, not the lowest numbers as in a plain zipfian.
    const hotKeys = sorted.slice(0, 10).map(([key]) => key);
    expect(hotKeys.some((key) => key > items / 2)).toBe(true);
    expect(hottest).not.toBe(0);
    // Heavy skew: under 15% of the keys take half the draws (a uniform choice needs 50%).
    let cumulative = 0;
    let keysForHalf = 0;
    for (const [, count] of sorted) {
      cumulative += count;
      keysForHalf++;
      if (cumulative >= values.length / 2) break;
    }
    expect(keysForHalf).toBeLessThan(items * 0.15);
  });

  it('never draws a key number past the records inserted so far', () => {
    let inserted = 100;
    const zipfian = new ScrambledZipfian(new SeededRandom(4), 1000, () => inserted);
    for (const value of draws(() => zipfian.next(), 2000)) expect(value).toBeLessThan(100);
    inserted = 1000;
    expect(Math.max(...draws(() => zipfian.next(), 5000))).toBeGreaterThanOrEqual(100);
  });

  it('skews latest towards the newest record, and follows inserts', () => {
    let inserted = 1000;
    const latest = new SkewedLatest(new SeededRandom(5), () => inserted);
    const counts = histogram(draws(() => latest.next(), 50_000));
    const hottest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    expect(hottest).toBe(999);
    expect(counts.get(999) ?? 0).toBeGreaterThan(3 * (counts.get(990) ?? 0));
    inserted = 1500;
    expect(histogram(draws(() => latest.next(), 20_000)).get(1499) ?? 0).toBeGreaterThan(1000);
  });

  it('draws uniformly: every tenth of the key space within 10% of its share', () => {
    const uniform = new Uniform(new SeededRandom(6), () => 10_000);
    const buckets = histogram(draws(() => Math.floor(uniform.next() / 1000), 100_000));
    expect([...buckets.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const count of buckets.values()) {
      expect(count).toBeGreaterThan(9000);
      expect(count).toBeLessThan(11_000);
    }
  });
});

describe('a tiny YCSB run', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ycsb-test-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const settings: YcsbSettings = {
    ...parseYcsbOptions(['--quick'], '').settings,
    records: 300,
    ops: 120,
    recordBytes: 200,
    budgetMs: 60_000,
  };
  const subject = (id: string) => {
    const found = ycsbSubjects.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`no subject ${id}`);
    return found;
  };

  it('runs every workload under both distributions on the memory engine, and the report has them all', async () => {
    const memory = await runYcsbSubject(subject('memory'), fresh(), settings);
    expect(memory.error).toBeUndefined();
    expect(memory.runs.map((run) => `${run.distribution} ${run.workload}`)).toEqual(
      distributions.flatMap((distribution) => runOrder.map((workload) => `${distribution} ${workload}`)),
    );
    for (const run of memory.runs) {
      expect(run.operations, `${run.distribution} ${run.workload}`).toBe(120);
      expect(run.notFound).toBe(0);
      expect(run.throughput).toBeGreaterThan(0);
      const mix = workloads.find((workload) => workload.id === run.workload)?.mix ?? {};
      // Every operation of the mix was drawn (at 5% of 120, about 6 inserts) and only those.
      expect(Object.keys(run.latency).sort()).toEqual(Object.keys(mix).sort());
      for (const figures of Object.values(run.latency)) {
        expect(figures.p50).toBeLessThanOrEqual(figures.p99);
        expect(figures.p99).toBeLessThanOrEqual(figures.p999);
      }
    }
    const map = await runYcsbSubject(subject('pmap-memory'), fresh(), { ...settings, workloads: ['D', 'E'] });
    expect(map.runs.map((run) => run.workload)).toEqual(['D', 'E', 'D', 'E']);
    expect(map.runs.every((run) => run.notFound === 0 && run.operations === 120)).toBe(true);

    const result = { machine: describeMachine(), settings, durationMs: 1, subjects: [memory, map] };
    const markdown = renderYcsbMarkdown(result, 'pnpm bench -- --ycsb');
    for (const workload of workloads) expect(markdown).toContain(`### Latency, workload ${workload.title}, uniform`);
    expect(markdown).toContain('| A zipfian | B zipfian | C zipfian | F zipfian | D latest | E zipfian |');
    const svg = renderYcsbSvg(result);
    for (const workload of workloads) expect(svg).toContain(workload.title.replace('&', '&amp;'));
  });

  it('shows E as "cannot scan" for a subject without an ordered scan', async () => {
    // Every Stowage engine iterates in key order now; keyv pages in storage order.
    const keyv = await runYcsbSubject(subject('keyv-sqlite'), fresh(), { ...settings, workloads: ['E'], ops: 20 });
    expect(keyv.error).toBeUndefined();
    expect(keyv.runs).toHaveLength(2);
    for (const run of keyv.runs) {
      expect(run.cannot).toMatch(/^cannot scan: keyv has no ordered range read/);
      expect(run.operations).toBe(0);
    }
    const result = {
      machine: describeMachine(),
      settings: { ...settings, workloads: ['E' as const] },
      durationMs: 1,
      subjects: [keyv],
    };
    const markdown = renderYcsbMarkdown(result, 'x');
    // keyv's load is batched in transactions the bench opens, so its load figure is marked and explained.
    expect(markdown).toMatch(/\| keyv \+ @keyv\/sqlite \| [\d.]+k?† \| cannot scan \| cannot scan \|/);
    expect(markdown).toContain("- keyv + @keyv/sqlite: each chunk's keyv.setMany inside BEGIN/COMMIT");
    expect(renderYcsbSvg(result)).toContain('cannot scan');
  });
});
