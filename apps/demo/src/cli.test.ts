import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs a root script exactly as the README shows it, from the repository root. */
async function pnpm(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('pnpm', ['--silent', ...args], { cwd: root, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the command lines the root README documents', () => {
  it('pnpm bench -- --help prints the usage', async () => {
    const result = await pnpm('bench', '--', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('pnpm bench [keys] [options]');
  });

  it('pnpm bench -- --list lists the subjects (a literal -- is not taken as the key count)', async () => {
    const result = await pnpm('bench', '--', '--list');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^map\s+reference/m);
  });

  it('pnpm demo --help prints the usage, and an unknown option a short message without a stack trace', async () => {
    const help = await pnpm('demo', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('pnpm demo [--keep <dir>]');
    const wrong = await pnpm('demo', '--nope');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("Unknown option '--nope'");
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
  });
});
