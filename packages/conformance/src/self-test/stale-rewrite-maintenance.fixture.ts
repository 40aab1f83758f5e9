/**
 * A crash module whose maintenance is broken: it copies the store's file, waits, and writes
 * the old copy back, so writes acknowledged meanwhile are reverted on disk. The backend
 * itself is the correct JSON example; the maintenance crash case must notice after a kill.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonFileBackend } from '../examples/json-file-backend.js';

export { createBackend } from '../examples/json-file-crash.fixture.js';

export async function maintenance(backend: JsonFileBackend): Promise<void> {
  const text = await readFile(backend.file, 'utf8').catch(() => undefined);
  await sleep(20);
  if (text !== undefined) await writeFile(backend.file, text);
}
