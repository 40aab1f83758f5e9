// The crash module of the kit's README: the child process the crash case kills loads it.
import { join } from 'node:path';
import { JsonFileBackend } from './json-file-backend.js';

export function createBackend(dir: string): JsonFileBackend {
  return new JsonFileBackend({ file: join(dir, 'store.json') });
}
