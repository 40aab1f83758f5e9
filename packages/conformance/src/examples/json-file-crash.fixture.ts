/** The crash module of the example: the kit's child process creates the backend with it. */
import { join } from 'node:path';
import { JsonFileBackend } from './json-file-backend.js';

export function createBackend(directory: string): JsonFileBackend {
  return new JsonFileBackend({ file: join(directory, 'store.json') });
}
