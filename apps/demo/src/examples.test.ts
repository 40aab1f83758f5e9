/**
 * Runs every program of examples/ (root of the repo) and checks what it returns; one of
 * them is also started as a user starts it (`node --import tsx <file>`), to prove the
 * files are programs and not only modules. Importing them here also puts them under tsc.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as csvEditedByHand } from '../../../examples/csv-edited-by-hand.js';
import { main as jobQueue } from '../../../examples/job-queue.js';
import { main as migrateEngines } from '../../../examples/migrate-engines.js';
import { main as rateLimit } from '../../../examples/rate-limit.js';
import { main as sessionStore } from '../../../examples/session-store.js';
import { repoRoot, runWithNode } from './readme-blocks.js';

const root = mkdtempSync(join(tmpdir(), 'stowage-examples-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fresh = (name: string) => mkdtempSync(join(root, `${name}-`));

describe('examples/', () => {
  it('session-store: an expired session reads undefined and is swept; a renewed one lives on', async () => {
    const result = await sessionStore(fresh('session'));
    expect(result.alive).toEqual({ s1: { user: 'ada', roles: ['admin'] }, s2: undefined, s3: undefined });
    expect(result.swept).toBe(1); // s2 (s3 was deleted)
    expect(result.s1LeftMs).toBeGreaterThan(29 * 60_000);
  });

  it('rate-limit: exactly the limit passes out of 50 concurrent requests, on every engine', async () => {
    expect(await rateLimit(fresh('rate'))).toEqual({ memory: 20, sqlite: 20, log: 20, csv: 20 });
  });

  it('job-queue: three workers, nine jobs, each run exactly once, all done after a reopen', async () => {
    const result = await jobQueue(fresh('jobs'));
    expect(result.ran).toBe(9);
    expect(result.distinctTasks).toBe(9);
    expect(result.states).toEqual(Array.from({ length: 9 }, () => 'done'));
  });

  it('csv-edited-by-hand: the edits a person typed into the file are what the store reads', async () => {
    const result = await csvEditedByHand(fresh('csv'));
    expect(result.written).toMatch(/^key,value\r?\napple,1\.2\r?\npear,0\.9\r?\n$/);
    expect([result.apple, result.pear, result.plum]).toEqual([1.5, 0.9, 2.25]);
  });

  it('migrate-engines: every entry and the TTL arrive on sqlite, with progress reported', async () => {
    const result = await migrateEngines(fresh('migrate'));
    expect(result.copied).toBe(2_501);
    expect(result.size).toBe(2_501);
    expect(result.progress.at(-1)).toBe(2_501);
    expect(result.user42).toEqual({ id: 42, name: 'user 42' });
    expect(result.sessionTtlMs).toBeGreaterThan(59 * 60_000);
  });

  it('an example runs as a program from the command line, in the folder it is given', async () => {
    const dir = fresh('cli');
    const run = await runWithNode(join(repoRoot, 'examples/rate-limit.ts'), dir, [dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('memory: 20, sqlite: 20, log: 20, csv: 20');
  });
});
