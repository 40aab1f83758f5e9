/**
 * Test support for crash and multi-process tests: runs a TypeScript script in a real child
 * process (node with tsx, and the workspace's source condition when the kit itself runs from
 * sources) and follows the lines it prints, so a test can wait for "ready", kill, and look.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Child {
  readonly process: ChildProcess;
  /** Every complete stdout line so far. */
  readonly lines: string[];
  /**
   * Resolves with the first line, printed already or to come, that `matches`. Rejects when
   * the child exits without one, or after `timeoutMs` (default 30 s), with its stderr.
   */
  line(matches: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the child has exited, with its exit code or signal. */
  readonly exited: Promise<ChildExit>;
  /** What the child printed on stderr so far, for failure messages. */
  stderr(): string;
}

/**
 * Node flags to run `script` in a child. From sources (this repository) it needs tsx and the
 * workspace's source condition; from a published build, tsx only when `script` is
 * TypeScript, resolved from the script's own project first (where its author installed it),
 * then from the kit's.
 */
export function childExecArgv(script: string): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const flags = fromSource ? ['--conditions=@stowage/source'] : [];
  if (fromSource || /\.[cm]?tsx?$/.test(script)) flags.unshift('--import', pathToFileURL(resolveTsx(script)).href);
  return flags;
}

function resolveTsx(script: string): string {
  for (const from of [script, fileURLToPath(import.meta.url)]) {
    try {
      return createRequire(from).resolve('tsx');
    } catch {
      // Not installed there: try the next place.
    }
  }
  throw new Error(
    `${script} is TypeScript, and the kit loads it in a child process through tsx, which is not installed: ` +
      'run `npm install --save-dev tsx` in your project (or give the kit a compiled .js module)',
  );
}

/**
 * Starts `script` (an absolute path or a file URL, e.g. `new URL('./writer.ts', import.meta.url)`)
 * with `args`. stdin is closed; stdout is split into lines; stderr is kept for messages.
 */
export function startChild(script: string | URL, args: readonly string[]): Child {
  const path = typeof script === 'string' && !script.startsWith('file:') ? script : fileURLToPath(script);
  const child = spawn(process.execPath, [...childExecArgv(path), path, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  let errors = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    lines.push(...complete);
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const exited = new Promise<ChildExit>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  const line = (matches: (line: string) => boolean, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const finish = (error: Error | undefined, found?: string) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) reject(error);
        else resolve(found ?? '');
      };
      const check = () => {
        const found = lines.find(matches);
        if (found !== undefined) finish(undefined, found);
        else if (child.exitCode !== null || child.signalCode !== null) {
          finish(new Error(`${path} exited (${child.exitCode ?? child.signalCode}): ${errors}`));
        }
      };
      const timer = setTimeout(
        () => finish(new Error(`no matching line from ${path} in ${timeoutMs} ms: ${errors}`)),
        timeoutMs,
      );
      waiters.add(check);
      check();
    });
  return { process: child, lines, line, exited, stderr: () => errors };
}
