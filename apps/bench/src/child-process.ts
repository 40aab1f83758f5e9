/**
 * Runs one of the bench's own TypeScript files in a fresh Node process (through tsx, with
 * the workspace source condition and --expose-gc), passing a JSON argument and reading a
 * JSON answer from the last line of its output. Memory is measured this way so each figure
 * starts from a clean process instead of the leftovers of every earlier subject.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export function runChild<T>(file: string, argument: unknown, timeoutMs = 600_000): Promise<T> {
  const script = fileURLToPath(new URL(file, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--conditions=@stowage/source', '--import', tsxLoader, script, JSON.stringify(argument)],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0) {
        try {
          resolve(JSON.parse(last) as T);
          return;
        } catch {}
      }
      // An uncaught error prints its message first and its properties and Node's version
      // last, so the last lines alone say nothing; name the first error line as well.
      const lines = stderr.trim().split('\n');
      const thrown = lines.find((line) => /\b[A-Z]\w*Error\b|^Error|\bcode:/.test(line));
      const tail = lines.slice(-3).join(' | ');
      const why = (thrown !== undefined && !tail.includes(thrown) ? `${thrown.trim()} … ${tail}` : tail) || last;
      reject(Object.assign(new Error(`${file} exited with ${signal ?? code}: ${why}`), { signal }));
    });
  });
}

/** In a child: the JSON argument, and a way to answer. */
export function childArgument<T>(): T {
  return JSON.parse(process.argv[2] ?? 'null') as T;
}

export function answer(value: unknown): void {
  process.stdout.write(`\n${JSON.stringify(value)}\n`);
}

/** Collects garbage twice (weak references and finalizers settle after the first). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}
