import { describe, expect, it } from 'vitest';
import type { Measurement } from './measure.js';
import { parseOptions } from './options.js';
import type { BenchResult } from './results.js';
import { evaluateTargets } from './targets.js';

const machine = { cpu: 'test', cores: 2, memoryGiB: 1, node: 'v20', platform: 'linux', date: '', loadAverage: 0 };

function resultWith(measurements: Measurement[], extra: Partial<BenchResult> = {}): BenchResult {
  return {
    options: parseOptions([], ''),
    machine,
    durationMs: 1,
    subjects: [],
    measurements,
    growth: {},
    cacheHit: { skipped: 'not selected' },
    keydir: { skipped: 'not selected' },
    openBig: { skipped: 'not selected' },
    paired: {},
    ...extra,
  };
}

const rate = (subject: string, workload: Measurement['workload'], value: number, partial = false): Measurement => ({
  subject,
  workload,
  value,
  unit: 'ops/s',
  operations: 1000,
  partial,
});

const find = (result: BenchResult, text: string) =>
  evaluateTargets(result).find((target) => target.description.includes(text));

describe('targets', () => {
  it('meets a lower bound at the bound and misses it just below', () => {
    const at = find(
      resultWith([rate('sqlite', 'set-chunk', 80), rate('better-sqlite3', 'set-chunk', 100)]),
      'sqlite engine many-key set vs better',
    );
    const below = find(
      resultWith([rate('sqlite', 'set-chunk', 79), rate('better-sqlite3', 'set-chunk', 100)]),
      'sqlite engine many-key set vs better',
    );
    expect([at?.status, at?.ratio, below?.status]).toEqual(['met', 0.8, 'not met']);
  });

  it('compares the fsync probe by its sequential rate and needs strictly more than 20x', () => {
    const equal = find(
      resultWith([rate('log-batch', 'concurrent-set', 2000), rate('fsync-probe', 'set-seq', 100)]),
      'one fsync per write',
    );
    const more = find(
      resultWith([rate('log-batch', 'concurrent-set', 2001), rate('fsync-probe', 'set-seq', 100)]),
      'one fsync per write',
    );
    expect([equal?.status, more?.status]).toEqual(['not met', 'met']);
  });

  it('says which side is missing instead of judging, and names a budget-limited side', () => {
    const missing = find(resultWith([rate('sqlite', 'set-seq', 100)]), 'sqlite engine sequential set vs better');
    expect(missing?.status).toBe('n/a');
    expect(missing?.detail).toContain('better-sqlite3 was not selected');
    const partial = find(
      resultWith([rate('sqlite', 'set-seq', 100), rate('keyv-sqlite', 'set-seq', 1, true)]),
      'sequential set vs keyv',
    );
    expect(partial?.status).toBe('met');
    expect(partial?.detail).toContain('keyv-sqlite stopped at its time budget');
  });

  it('judges a get target on its alternating rounds when they were measured', () => {
    const table = [rate('sqlite', 'get-existing', 50), rate('better-sqlite3', 'get-existing', 100)];
    const paired = { 'sqlite:get-existing/better-sqlite3:get-existing': { ratio: 0.9, detail: 'alternating' } };
    const outcome = find(resultWith(table, { paired }), 'sqlite engine raw get');
    expect([outcome?.status, outcome?.ratio]).toEqual(['met', 0.9]);
    expect(outcome?.detail).toContain("the table's figures give 0.50x");
  });

  it('judges the upper bounds: csv growth, open from hints, keydir memory', () => {
    const result = resultWith([], {
      growth: { csv: { small: 0.01, large: 0.014, ratio: 1.4 } },
      openBig: { figures: { keys: 1_000_000, scanMs: 1000, hintMs: 400, hintFiles: 3 } },
      keydir: { figures: { keys: 100, mapPerKey: 50, logPerKey: 100 } },
    });
    expect(find(result, 'csv engine per-write')?.status).toBe('not met');
    expect(find(result, 'hint files')?.status).toBe('met');
    expect(find(result, 'key directory')?.status).toBe('met');
  });
});
