/** The child side of ./keydir-memory.ts. */
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

// Flat one-byte strings, as a store decoding keys from its files holds them (a template
// literal would leave rope strings, which cost more and would flatter the log).
const flatKey = (i: number) => Buffer.from(keyOf(i), 'latin1').toString('latin1');

let before = heapInUse();
let map: Map<string, number> | undefined = new Map();
for (let i = 0; i < count; i++) map.set(flatKey(i), i * 128);
const mapBytes = heapInUse() - before;
map = undefined;

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
  before = heapInUse();
  const reader = create(dir);
  await reader.open();
  const logBytes = heapInUse() - before;
  const present = await reader.get(keyOf(count - 1));
  await reader.close();
  if (present === undefined) throw new Error('the reopened log store lost its last key');
  answer({ figures: { keys: count, mapPerKey: mapBytes / count, logPerKey: logBytes / count } } satisfies KeydirAnswer);
}
process.exit(0);
