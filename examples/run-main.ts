/**
 * Shared by every example: when the file is run directly (`node --import tsx
 * examples/<name>.ts [folder]`), call its `main` on a folder (default: a fresh temporary
 * one) and print what it returns. Imported by a test, it does nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export async function runIfMain(url: string, main: (dir: string) => Promise<unknown>): Promise<void> {
  if (process.argv[1] === undefined || resolve(process.argv[1]) !== fileURLToPath(url)) return;
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'stowage-example-'));
  console.log(await main(dir));
}
