import { describe, expect, it } from 'vitest';
import { runMapletDemo } from './maplet-demo.js';

describe('the maplet demo', () => {
  it('counts page views after a reopen without ever undercounting, and finds few never-viewed pages', async () => {
    const lines: string[] = [];
    const report = await runMapletDemo({ print: (line) => lines.push(line) });
    expect(report.views).toBe(100_000);
    expect(report.undercounted).toBe(0);
    expect(report.neverViewedFound / report.neverViewedProbes).toBeLessThan(0.02);
    expect(report.measuredRate).toBeLessThanOrEqual(0.01);
    expect(report.topPage[1]).toBeGreaterThan(1_000);
    expect(report.bitsPerKey).toBeLessThan(64);
    expect(lines.join('\n')).toContain('undercounted pages: 0');
  }, 120_000);
});
