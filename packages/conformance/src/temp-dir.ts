/**
 * Temporary directories for engine tests: `const dir = tempDir('sqlite')` at the top of a
 * test file, then `dir()` gives a new empty directory under os.tmpdir() each call. All of
 * them are removed after the file's tests.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function tempDir(label = 'stowage'): () => string {
  let root: string | undefined;
  let count = 0;
  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });
  return () => {
    root ??= mkdtempSync(join(tmpdir(), `${label.replace(/[^\w.-]/g, '_')}-`));
    const directory = join(root, String(++count));
    mkdirSync(directory);
    return directory;
  };
}
