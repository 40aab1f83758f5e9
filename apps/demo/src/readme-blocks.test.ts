/**
 * Every ```ts / ```js block of every README is type-checked as written, read from the
 * README itself; blocks marked `<!-- run -->` also run with node in an empty temp folder.
 * CONTRIBUTING.md ("Documentation") describes the convention.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeParses, readmeBlocks, readmePaths, runWithNode, typeCheck, writeBlocks } from './readme-blocks.js';

const blocks = readmeBlocks();
const written = writeBlocks(blocks);
const scratch = mkdtempSync(join(tmpdir(), 'stowage-readme-blocks-'));
afterAll(() => {
  rmSync(written.folder, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe('README code blocks', () => {
  it('finds the READMEs and their blocks', () => {
    expect(readmePaths().length).toBeGreaterThanOrEqual(8);
    expect(blocks.some((block) => block.readme === 'README.md' && block.runnable)).toBe(true);
  });

  it('every block type-checks with the repo settings (one program for all)', () => {
    expect(typeCheck(written.files)).toEqual([]);
  });

  // The root README's quick start runs in quick-start.test.ts, with its output checked.
  const runnable = [...written.files].filter(([, block]) => block.runnable && block.readme !== 'README.md');
  it.concurrent.each(runnable.map(([file, block]) => [`${block.readme}:${block.line}`, file, block] as const))(
    '%s runs with node and exits 0',
    async (_, file, block) => {
      if (block.language === 'js') expect(await nodeParses(file)).toBe('');
      const cwd = mkdtempSync(join(scratch, 'run-'));
      const result = await runWithNode(file, cwd);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
    120_000, // several node processes start at once on 2 cores
  );
});
