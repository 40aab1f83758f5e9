import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';

describe('the demo', () => {
  it('runs on sqlite, log and csv, and every engine ends with the same exact state', async () => {
    const lines: string[] = [];
    const reports = await runDemo({ print: (line) => lines.push(line), requests: 300 });
    expect(reports.map((report) => report.engine)).toEqual(['sqlite', 'log', 'csv']);
    for (const report of reports) {
      expect(report).toEqual({
        engine: report.engine,
        bobVisibleAtFirst: true,
        bobVisibleAfterTtl: false,
        bobSweptFromBackend: true,
        counter: 300,
        tenantsBeforeClear: { acme: 3, globex: 2 },
        tenantsAfterClear: { acme: 0, globex: 2 },
        afterReopen: { counter: 300, alicePresent: true, bobPresent: false, tenants: { acme: 0, globex: 2 } },
      });
    }
    const output = lines.join('\n');
    expect(output).toContain('300 concurrent increments of counter:page-views → 300 (exact: none lost)');
    expect(output).toContain('acme.clear()  → acme: 0 keys, globex: 2 keys (untouched)');
    expect(output).toContain('counter:page-views,300');
    expect(output.match(/after reopen all there/g)).toHaveLength(2);
    expect(output).not.toMatch(/WRONG|MISSING|LOST|NOT swept/);
  });

  it('runs as `pnpm demo` does and exits 0 on its own', () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--conditions=@stowage/source', '--import', tsx, main], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('1,000 concurrent increments of counter:page-views → 1,000 (exact: none lost)');
    expect(run.stdout).toContain('Done in');
  });
});
