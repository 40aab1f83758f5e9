import { describe, expect, it } from 'vitest';
import { runSegmentDemo } from './segment-demo.js';

describe('the segment demo', () => {
  it('builds a segment, answers a range, and takes random writes through the engine', async () => {
    const lines: string[] = [];
    const report = await runSegmentDemo({ print: (line) => lines.push(line) });
    expect(report.built).toBe(3 * 365);
    expect(report.januaryAtOslo).toBe(31);
    // Day 364 (Dec 31) got a correction (every 7th day from day 0); days 363 and 362 did not.
    const reading = (n: number) => `${(Math.sin(n / 58) * 12).toFixed(1)}°C`;
    expect(report.newestThree).toEqual([
      'tromso/2025-12-31 = corrected',
      `tromso/2025-12-30 = ${reading(363)}`,
      `tromso/2025-12-29 = ${reading(362)}`,
    ]);
    expect(report.writeAmplification).toBeGreaterThan(1);
    expect(lines.join('\n')).toContain('oslo in January: 31 readings');
  }, 60_000);
});
