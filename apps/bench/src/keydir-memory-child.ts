/** The child side of ./keydir-memory.ts. */
import type { StorageBackend } from '@stowage/core';
import { answer, childArgument, collectGarbage } from './child-process.js';
import { keyOf, makeEntries } from './data.js';
import type { KeydirAnswer, KeydirRequest } from './keydir-memory.js';
import { loadLog } from './subjects/log-engine.js';

const { keys: count, dir } = childArgument<KeydirRequest>();

const heapInUse = () => {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};

// Each figure is the heap with the structure alive minus the heap once it is dropped, so
// drift elsewhere in the heap between the two moments is all that can creep in.
const map = new Map<string, number>();
for (let i = 0; i < count; i++) map.set(keyOf(i), i * 128);
const withMap = heapInUse();
// A use after the measurement: optimised code treats a variable with no later use as dead,
// and the collector could free the map before it is weighed.
if (map.size !== count) throw new Error('the map lost keys');
map.clear();
const mapBytes = withMap - heapInUse();

const loaded = await loadLog('none');
if (!loaded.ok) {
  answer({ skipped: loaded.reason } satisfies KeydirAnswer);
} else {
  const create = loaded.module;
  const writer = create(dir);
  await writer.open();
  for (let first = 0; first < count; first += 1000) {
    const chunk = makeEntries(Math.min(1000, count - first), first).map((entry) => ({
      type: 'set' as const,
      key: entry.key,
      value: entry.json,
    }));
    if (writer.apply) await writer.apply(chunk);
    else for (const operation of chunk) await writer.set(operation.key, operation.value);
  }
  await writer.close();
  let reader: StorageBackend | undefined = create(dir);
  await reader.open();
  const present = await reader.get(keyOf(count - 1));
  if (present === undefined) throw new Error('the reopened log store lost its last key');
  const withStore = heapInUse();
  await reader.close();
  reader = undefined;
  const logBytes = withStore - heapInUse();
  answer({ figures: { keys: count, mapPerKey: mapBytes / count, logPerKey: logBytes / count } } satisfies KeydirAnswer);
}
process.exit(0);
