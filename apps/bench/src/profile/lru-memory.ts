/**
 * A profiling aid for issue 13's LRU memory target, not part of the bench: the
 * peak-memory workload's steps (fill in chunks of 1,000, then read every key once) on one
 * PersistentMap over the memory engine, with memory sampled along the way. Run from
 * apps/bench:
 *
 *   node --expose-gc --conditions=@stowage/source --import tsx src/profile/lru-memory.ts <full|lru> [keys] [maxEntries] [maxBytes]
 *
 * Prints the peak RSS rise (getrusage maxrss, as the bench), the highest heapUsed and RSS
 * seen at the samples, and what the map holds after a full GC at the end of each phase.
 * Add --trace-gc to see how far the heap grows between collections.
 */
import { PersistentMap } from '@stowage/core';
import { MemoryBackend } from '@stowage/memory';
import { collectGarbage } from '../child-process.js';
import { makeEntries } from '../data.js';

const [mode = 'lru', keysText = '100000', maxEntriesText = '10000', maxBytesText] = process.argv.slice(2);
const keys = Number(keysText);
const entries = makeEntries(keys);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

collectGarbage();
const base = process.memoryUsage();
const rssBefore = process.resourceUsage().maxRSS * 1024;
let peakHeap = 0;
let peakRss = 0;
const sample = () => {
  const usage = process.memoryUsage();
  peakHeap = Math.max(peakHeap, usage.heapUsed);
  peakRss = Math.max(peakRss, usage.rss);
};
const sampler = setInterval(sample, 5);

const cache =
  mode === 'full'
    ? ({ mode: 'full' } as const)
    : ({
        mode: 'lru',
        maxEntries: Number(maxEntriesText),
        ...(maxBytesText === undefined ? {} : { maxBytes: Number(maxBytesText) }),
      } as const);
const map = await PersistentMap.open<string, unknown>(new MemoryBackend(), { cache, sweepInterval: 0 });
const started = performance.now();
for (let first = 0; first < entries.length; first += 1000) {
  await map.setMany(entries.slice(first, first + 1000).map((entry) => [entry.key, entry.value] as const));
  if ((first / 1000) % 10 === 0) sample();
}
const filled = performance.now();
report('filled');
let found = 0;
for (let i = 0; i < entries.length; i++) {
  if ((await map.get(entries[i]!.key)) !== undefined) found++;
  if ((i & 1023) === 0) sample();
}
clearInterval(sampler);
sample();
const peakRise = process.resourceUsage().maxRSS * 1024 - rssBefore;
report('read');
console.log(
  `${mode} ${keys} keys: peak RSS rise ${mib(peakRise)}; highest sampled heapUsed ${mib(peakHeap - base.heapUsed)} above the start, RSS ${mib(peakRss - base.rss)}; fill ${(filled - started).toFixed(0)} ms, read ${(performance.now() - filled).toFixed(0)} ms; found ${found}; stats ${JSON.stringify(map.stats())}`,
);
await map.close();

function report(phase: string): void {
  collectGarbage();
  const usage = process.memoryUsage();
  console.log(
    `after ${phase}, GC'd: heapUsed +${mib(usage.heapUsed - base.heapUsed)}, external +${mib(usage.external - base.external)}, rss +${mib(usage.rss - base.rss)}`,
  );
}
