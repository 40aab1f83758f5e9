/**
 * A crash module whose maintenance is broken: it takes a snapshot of every entry, waits,
 * and writes the snapshot back through the backend (old values restored, newer keys
 * deleted), so writes acknowledged meanwhile are reverted, durably. The backend itself is
 * the correct JSON example; the maintenance crash case must notice after a kill.
 *
 * The revert goes through the backend rather than over its file: a file rewritten behind
 * the backend's back is repaired by its next save (it rewrites the whole file from memory),
 * so a kill would catch the damage only by luck, and the self-test would be flaky.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchOperation, EncodedValue } from '@stowage/core';
import type { JsonFileBackend } from '../examples/json-file-backend.js';

export { createBackend } from '../examples/json-file-crash.fixture.js';

export async function maintenance(backend: JsonFileBackend): Promise<void> {
  const snapshot = new Map<string, EncodedValue>();
  for await (const [key, value] of backend.entries()) snapshot.set(key, value);
  await sleep(20);
  const revert: BatchOperation[] = [];
  for await (const [key] of backend.entries()) if (!snapshot.has(key)) revert.push({ type: 'delete', key });
  for (const [key, value] of snapshot) revert.push({ type: 'set', key, value });
  await backend.apply(revert);
}
