/** The child side of ./peak-memory.ts; runs one subject and answers with its memory figures. */
import { answer, childArgument, collectGarbage } from '../child-process.js';
import { makeEntries } from '../data.js';
import { Deadline } from '../measure.js';
import type { Store } from '../subject.js';
import { subjects } from '../subjects/registry.js';
import type { PeakMemoryAnswer, PeakMemoryRequest } from './peak-memory.js';
import { pass } from './random-get.js';
import { chunkSize } from './set-chunked.js';

const request = childArgument<PeakMemoryRequest>();
const subject = subjects.find((candidate) => candidate.id === request.subject);
if (!subject) throw new Error(`no subject ${request.subject}`);
const opener = await subject.prepare();
if (!opener.available) throw new Error(opener.reason);

const entries = makeEntries(request.keys);
const keys = entries.map((entry) => entry.key);
collectGarbage();
const rssBefore = process.resourceUsage().maxRSS * 1024;

const deadline = new Deadline(request.budgetMs);
let store: Store | undefined = await opener.open(request.dir);
let stored = 0;
while (stored < entries.length && !deadline.passed()) {
  await store.setChunk(entries.slice(stored, stored + chunkSize));
  stored += chunkSize;
}
stored = Math.min(stored, entries.length);
if (subject.persistent) {
  await store.close();
  store = await opener.open(request.dir);
}
await pass(store, keys.slice(0, stored), new Deadline(request.budgetMs));
const peakRssDelta = process.resourceUsage().maxRSS * 1024 - rssBefore;
// What the open store holds: the heap with it open minus the heap once it is closed and
// dropped. A difference taken at one moment, so drift elsewhere in the heap cancels out.
const heapOpen = heapInUse();
await store.close();
store = undefined;
const heapRetained = heapOpen - heapInUse();
// A use after the measurement, so optimised code keeps the data alive through it (a variable
// with no later use is dead to the collector, and its memory would be subtracted).
if (entries.length !== request.keys || keys.length !== request.keys) throw new Error('unreachable');
answer({ peakRssDelta, heapRetained, stored } satisfies PeakMemoryAnswer);
process.exit(0);

function heapInUse(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}
