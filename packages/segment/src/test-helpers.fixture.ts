/** Temp folders for the package's own tests, removed after the run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-segment-'));
  made.push(dir);
  return dir;
}

/** A key that sorts by its number: k000042. */
export function keyOf(n: number, width = 6): string {
  return `k${String(n).padStart(width, '0')}`;
}
