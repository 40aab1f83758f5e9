import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { millionOrder, parseMillionOptions, renderMillionMarkdown, runMillion } from './run-million.js';

const parent = mkdtempSync(join(tmpdir(), 'stowage-million-test-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('--million', () => {
  it('alternates the sides so each goes first half the time', () => {
    expect(millionOrder(1)).toEqual(['raw', 'map']);
    expect(millionOrder(2)).toEqual(['raw', 'map', 'map', 'raw']);
    expect(millionOrder(3)).toEqual(['raw', 'map', 'map', 'raw', 'raw', 'map']);
  });

  it('parses its options and refuses a durability the comparison does not offer', () => {
    const options = parseMillionOptions(['--', '--million', '--keys', '2_000', '--no-write'], '/results');
    expect(options).toMatchObject({ keys: 2000, rounds: 2, durability: 'batch', resultsDir: undefined });
    expect(() => parseMillionOptions(['--durability', 'always'], '/results')).toThrow(/batch or none/);
  });

  it('loads both sides in child processes and reports their ratio', async () => {
    const options = { ...parseMillionOptions(['--keys', '2500', '--rounds', '1', '--dir', parent], '/r') };
    const result = await runMillion(options);
    expect(result.loads.map((load) => [load.side, load.keys])).toEqual([
      ['raw', 2500],
      ['map', 2500],
    ]);
    for (const load of result.loads) {
      expect(load.loadMs).toBeGreaterThan(0);
      expect(load.wallMs).toBeGreaterThanOrEqual(load.loadMs);
      expect(load.peakRssMiB).toBeGreaterThanOrEqual(load.rssBeforeMiB);
    }
    const [raw, map] = result.loads;
    const markdown = renderMillionMarkdown(result, 'pnpm bench -- --million');
    expect(markdown).toContain('# 2,500 keys into a log store');
    const ratio = ((map?.loadMs ?? 0) / (raw?.loadMs ?? 1)).toFixed(2);
    expect(markdown).toMatch(
      new RegExp(`\\| load time, store calls \\(open, chunks, close\\) \\| [\\d.]+ s \\| [\\d.]+ s \\| ${ratio}x \\|`),
    );
  }, 120_000);
});
