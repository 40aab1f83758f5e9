/**
 * Measures what one awaited write costs as the store grows, compaction included: for each
 * store size it preloads that many keys, reopens, then times sequential `set` calls that
 * overwrite random keys (enough of them that the journal is folded into the CSV at least
 * twice at every size, so the amortised rewrite cost is part of the figure).
 *
 *   npx tsx --conditions=@stowage/source packages/csv/scripts/per-write-bench.ts [durability] [sizes...]
 *   e.g. ... per-write-bench.ts none 10000 100000
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvBackend } from '../src/index.js';

const [durabilityArgument = 'none', ...sizeArguments] = process.argv.slice(2);
const durability = durabilityArgument === 'batch' ? 'batch' : 'none';
const sizes = sizeArguments.length > 0 ? sizeArguments.map(Number) : [10_000, 100_000];
const value = (n: number) => JSON.stringify({ n, name: `user-${n}`, tags: ['a', 'b'] });
const key = (n: number) => `key-${String(n).padStart(8, '0')}`;

/** Preloads `size` keys, then times awaited overwrites; returns µs per write and how many were timed. */
async function measure(size: number): Promise<{ writes: number; microseconds: number }> {
  const directory = mkdtempSync(join(tmpdir(), 'stowage-csv-bench-'));
  const path = join(directory, 'store.csv');
  try {
    const loader = new CsvBackend({ path, durability });
    await loader.open();
    for (let start = 0; start < size; start += 1000) {
      const chunk = [];
      for (let n = start; n < Math.min(size, start + 1000); n++)
        chunk.push({ type: 'set' as const, key: key(n), value: value(n) });
      await loader.apply(chunk);
    }
    await loader.close();

    const backend = new CsvBackend({ path, durability });
    await backend.open();
    // Journal lines are ~100 bytes; the CSV is rewritten once the journal passes max(1 MiB, CSV size).
    const csvBytes = size * 75;
    const writes = Math.max(20_000, Math.ceil((2.5 * Math.max(1024 * 1024, csvBytes)) / 100));
    let random = 12345;
    const started = process.hrtime.bigint();
    for (let i = 0; i < writes; i++) {
      random = (random * 1103515245 + 12345) % 2147483648;
      await backend.set(key(random % size), value(i));
    }
    const elapsed = Number(process.hrtime.bigint() - started) / 1000;
    await backend.close();
    return { writes, microseconds: elapsed / writes };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// A first run warms the JIT up; then every size runs three times and keeps its median.
await measure(1000);
const results: { size: number; writes: number; microseconds: number }[] = [];
for (const size of sizes) {
  const runs = [await measure(size), await measure(size), await measure(size)].sort(
    (a, b) => a.microseconds - b.microseconds,
  );
  results.push({ size, ...runs[1]! });
}

console.log(`csv per-write cost, durability ${durability}, node ${process.version}, ${process.platform}`);
console.log('| keys in store | awaited sets timed | µs per set | ratio to first |');
console.log('|---:|---:|---:|---:|');
for (const result of results) {
  const ratio = result.microseconds / results[0]!.microseconds;
  console.log(`| ${result.size} | ${result.writes} | ${result.microseconds.toFixed(2)} | ${ratio.toFixed(2)}x |`);
}
