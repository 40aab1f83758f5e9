/**
 * The root README's quick start, read from README.md itself (not a copy) and run with node
 * in an empty folder: the TypeScript form (`await using`) and the plain `.mjs` form, which
 * plain node must also parse (Node 20 and 22 have no `await using`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersistentMap } from '@stowage/core';
import { SqliteBackend } from '@stowage/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeParses, readmeBlocks, runWithNode, writeBlocks } from './readme-blocks.js';

const [typescript, javascript, ...others] = readmeBlocks().filter((block) => block.readme === 'README.md');
const written = writeBlocks([typescript, javascript].filter((block) => block !== undefined));
const fileOf = (line: number | undefined) => [...written.files].find(([, block]) => block.line === line)?.[0] ?? '';
const folder = mkdtempSync(join(tmpdir(), 'stowage-quick-start-'));
afterAll(() => {
  rmSync(written.folder, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
});

describe('the root README quick start', () => {
  it('has the TypeScript form and the plain JavaScript form, both marked to run', () => {
    expect(typescript?.language).toBe('ts');
    expect(typescript?.code).toContain('await using store');
    expect(javascript?.language).toBe('js');
    expect(javascript?.code).not.toContain('using');
    expect([typescript?.runnable, javascript?.runnable]).toEqual([true, true]);
    expect(others).toEqual([]);
  });

  it('the TypeScript form runs as written and leaves its data on disk', async () => {
    const cwd = mkdtempSync(join(folder, 'ts-'));
    const result = await runWithNode(fileOf(typescript?.line), cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual(["{ user: 'ada' }", '100', "session:42 { user: 'ada' }", '']);
    // `await using` closed the store (else the reopen below would find it locked or unflushed).
    const reopened = await PersistentMap.open<string, unknown>(new SqliteBackend({ file: join(cwd, 'app.db') }));
    expect(await reopened.get('visits:home')).toBe(100);
    expect(await reopened.ttl('session:42')).toBeGreaterThan(29 * 60_000);
    await reopened.close();
  });

  it('the plain JavaScript form parses with plain node and runs as written', async () => {
    const file = fileOf(javascript?.line);
    expect(await nodeParses(file)).toBe('');
    const cwd = mkdtempSync(join(folder, 'mjs-'));
    const result = await runWithNode(file, cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("{ user: 'ada' }\n");
    const reopened = await PersistentMap.open<string, unknown>(new SqliteBackend({ file: join(cwd, 'app.db') }));
    expect(await reopened.get('session:42')).toEqual({ user: 'ada' });
    await reopened.close();
  });

  it('the TypeScript form pasted into a .mjs is what plain node refuses (why the second form exists)', async () => {
    const written2 = writeBlocks([{ ...typescript!, language: 'js' }]);
    try {
      const [file] = written2.files.keys();
      expect(await nodeParses(file!)).toMatch(/SyntaxError: Unexpected identifier 'store'/); // at `await using store`
    } finally {
      rmSync(written2.folder, { recursive: true, force: true });
    }
  });
});
