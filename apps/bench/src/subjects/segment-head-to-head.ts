/**
 * The segment engine against classic-level on the workloads of its issue that the shared
 * bench has no workload for, in one run, same machine, same data (16-byte keys, 100-byte
 * values): a bulk build from a sorted stream (SegmentWriter) against classic-level's
 * batches, random writes in batches of 1,000 at equal durability (none: classic-level's
 * default does not fsync), synchronous gets of existing and missing keys (SegmentReader
 * and the engine against classic-level's getSync), range scans of 1,000 keys, and the
 * sequential write bandwidth of the disk. Run:
 *
 *   cd apps/bench && pnpm exec tsx --conditions=@stowage/source src/subjects/segment-head-to-head.ts [keys]
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentBackend, SegmentReader, SegmentWriter } from '@stowage/segment';
import { ClassicLevel } from 'classic-level';

const keys = Number(process.argv[2] ?? 200_000);
const value = 'v'.repeat(100);
const keyOf = (n: number) => `key${String(n).padStart(13, '0')}`;
const root = mkdtempSync(join(tmpdir(), 'stowage-seg-h2h-'));

function shuffled(count: number, seed: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  let s = seed;
  for (let i = count - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

async function time(label: string, operations: number, body: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await body();
  const seconds = (performance.now() - start) / 1000;
  const rate = operations / seconds;
  console.log(`${label.padEnd(58)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} /s`);
  return rate;
}

type Level = InstanceType<typeof ClassicLevel<string, string>> & { getSync(key: string): string | undefined };
const results: Record<string, number> = {};
const probes = shuffled(keys, 7).slice(0, Math.min(keys, 200_000));
const scans = Math.max(20, Math.min(500, Math.floor(keys / 1000)));

// Sequential write bandwidth, with the final fsync (MB/s × 1e6 / 116 = entries/s equivalent).
{
  const path = join(root, 'bandwidth.bin');
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const total = Math.max(64, Math.ceil((keys * 116) / chunk.length));
  const fd = openSync(path, 'w');
  results.bandwidth = await time('disk: sequential write + fsync (MB/s)', total, () => {
    for (let i = 0; i < total; i++) writeSync(fd, chunk);
    fsyncSync(fd);
  });
  closeSync(fd);
}

// Bulk build of sorted entries.
const segmentPath = join(root, 'bulk.seg');
results.segBulk = await time('segment: bulk build from a sorted stream', keys, async () => {
  async function* entries() {
    for (let i = 0; i < keys; i++) yield [keyOf(i), value] as const;
  }
  await SegmentWriter.write(segmentPath, entries());
});
const level = new ClassicLevel<string, string>(join(root, 'level-bulk'), { valueEncoding: 'utf8' }) as Level;
await level.open();
results.levelBulk = await time('classic-level: sorted batches of 1,000', keys, async () => {
  for (let i = 0; i < keys; i += 1000) {
    const ops = [];
    for (let j = i; j < Math.min(keys, i + 1000); j++) ops.push({ type: 'put' as const, key: keyOf(j), value });
    await level.batch(ops);
  }
});

// Random writes in batches of 1,000 through the engine (durability none, like classic-level's default).
const order = shuffled(keys, 3);
const engine = new SegmentBackend({ dir: join(root, 'engine'), durability: 'none' });
await engine.open();
results.segRandom = await time('segment engine: random writes, batches of 1,000', keys, async () => {
  for (let i = 0; i < keys; i += 1000) {
    const ops = [];
    for (let j = i; j < Math.min(keys, i + 1000); j++) ops.push({ type: 'set' as const, key: keyOf(order[j]!), value });
    await engine.apply(ops);
  }
});
const levelRandom = new ClassicLevel<string, string>(join(root, 'level-random'), { valueEncoding: 'utf8' }) as Level;
await levelRandom.open();
results.levelRandom = await time('classic-level: random writes, batches of 1,000', keys, async () => {
  for (let i = 0; i < keys; i += 1000) {
    const ops = [];
    for (let j = i; j < Math.min(keys, i + 1000); j++) ops.push({ type: 'put' as const, key: keyOf(order[j]!), value });
    await levelRandom.batch(ops);
  }
});
await engine.compact();
const stats = await engine.stats();

// Gets: the standalone reader and the engine against classic-level's getSync.
const reader = SegmentReader.open(segmentPath, { cache: 64 * 1024 * 1024 });
const check = (found: unknown, want: boolean) => {
  if ((found !== undefined) !== want) throw new Error('wrong answer');
};
for (const n of probes) reader.getSync(keyOf(n)); // warm the block cache like LevelDB's
results.readerGet = await time('segment reader: getSync existing', probes.length, () => {
  for (const n of probes) check(reader.getSync(keyOf(n)), true);
});
for (const n of probes) engine.getSync(keyOf(n));
results.engineGet = await time('segment engine: getSync existing', probes.length, () => {
  for (const n of probes) check(engine.getSync(keyOf(n)), true);
});
results.engineAwaitGet = await time('segment engine: await get existing', probes.length, async () => {
  for (const n of probes) check(await engine.get(keyOf(n)), true);
});
for (const n of probes) level.getSync(keyOf(n));
results.levelGet = await time('classic-level: getSync existing', probes.length, () => {
  for (const n of probes) check(level.getSync(keyOf(n)), true);
});
results.readerMiss = await time('segment reader: getSync missing', probes.length, () => {
  for (const n of probes) check(reader.getSync(`miss${n}`), false);
});
results.engineMiss = await time('segment engine: getSync missing', probes.length, () => {
  for (const n of probes) check(engine.getSync(`miss${n}`), false);
});
results.levelMiss = await time('classic-level: getSync missing', probes.length, () => {
  for (const n of probes) check(level.getSync(`miss${n}`), false);
});

// Range scans of 1,000 keys from random starts.
const starts = shuffled(Math.max(1, keys - 1000), 11).slice(0, scans);
results.readerScan = await time('segment reader: range scans of 1,000 keys', scans, () => {
  for (const start of starts) {
    let count = 0;
    for (const _ of reader.entries({ gte: keyOf(start), limit: 1000 })) count++;
    if (count !== 1000) throw new Error('short scan');
  }
});
results.engineScan = await time('segment engine: range scans of 1,000 keys', scans, async () => {
  for (const start of starts) {
    let count = 0;
    for await (const _ of engine.entries({ gte: keyOf(start), limit: 1000 })) count++;
    if (count !== 1000) throw new Error('short scan');
  }
});
results.levelScan = await time('classic-level: iterator range scans of 1,000 keys', scans, async () => {
  for (const start of starts) {
    let count = 0;
    for await (const _ of level.iterator({ gte: keyOf(start), limit: 1000 })) count++;
    if (count !== 1000) throw new Error('short scan');
  }
});

reader.close();
await engine.close();
await level.close();
await levelRandom.close();
rmSync(root, { recursive: true, force: true });

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const bandwidthEntries = (results.bandwidth! * 1024 * 1024) / 116;
console.log(`\nratios (${keys.toLocaleString('en-US')} keys; need >= 1.0x, bulk also >= 50% of disk bandwidth):`);
console.log(`bulk build vs classic-level sorted batches      ${ratio(results.segBulk!, results.levelBulk!)}`);
console.log(
  `bulk build vs sequential disk bandwidth         ${((results.segBulk! / bandwidthEntries) * 100).toFixed(0)}%`,
);
console.log(`random writes vs classic-level (durability none) ${ratio(results.segRandom!, results.levelRandom!)}`);
console.log(
  `get existing: reader / engine vs getSync        ${ratio(results.readerGet!, results.levelGet!)} / ${ratio(results.engineGet!, results.levelGet!)}`,
);
console.log(
  `get missing: reader / engine vs getSync         ${ratio(results.readerMiss!, results.levelMiss!)} / ${ratio(results.engineMiss!, results.levelMiss!)}`,
);
console.log(
  `range scans: reader / engine vs iterator        ${ratio(results.readerScan!, results.levelScan!)} / ${ratio(results.engineScan!, results.levelScan!)}`,
);
console.log(
  `engine write amplification after random writes + compact: ${stats.writeAmplification.toFixed(2)} (WAL ${stats.written.wal}, flush ${stats.written.flush}, compaction ${stats.written.compaction}, user ${stats.written.user} bytes)`,
);
console.log(
  `engine levels: ${stats.levels.map((l) => `L${l.level}:${l.files}`).join(' ')}; filter bits/key ${stats.filterBitsPerKey.toFixed(1)}`,
);
