/**
 * Quick figures for the log engine on this machine (not a test; the benchmark proper is
 * apps/bench). Run from the repository root:
 *
 *   node --expose-gc --import tsx --conditions=@stowage/source packages/log/scripts/measure.ts [keys]
 *
 * Prints: key directory memory per key against a Map<string, number>; get and
 * sequential set (durability none) against a minimal append-only log (appendFileSync, a
 * Map of offsets, readSync); 10,000 concurrent sets with durability batch against one
 * fsync per write; and open from hint files against a full scan.
 */
import { appendFileSync, closeSync, fsyncSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keydir } from '../src/keydir.js';
import { LogBackend } from '../src/log-backend.js';

const count = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const root = mkdtempSync(join(tmpdir(), 'stowage-log-measure-'));
const keyOf = (i: number) => `key-${String(i).padStart(8, '0')}`;
const value = 'v'.repeat(100);

function heap(): number {
  gc!();
  gc!();
  // Typed arrays keep their bytes outside the JS heap: count both.
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function memoryPerKey(build: () => unknown): number {
  const before = heap();
  const held = build();
  const after = heap();
  if (held === undefined) throw new Error('unreachable');
  return (after - before) / count;
}

async function time(label: string, operations: number, body: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint();
  await body();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = operations / seconds;
  console.log(`${label.padEnd(48)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} ops/s`);
  return rate;
}

// ---- memory ----
const mapBytes = memoryPerKey(() => {
  const map = new Map<string, number>();
  for (let i = 0; i < count; i++) map.set(keyOf(i), i * 100);
  return map;
});
const keydirBytes = memoryPerKey(() => {
  const keydir = new Keydir();
  for (let i = 0; i < count; i++) keydir.set(keyOf(i), 1, i * 100, 100, i + 1, 2);
  return keydir;
});
console.log(
  `memory per key (keys included): Map<string, number> ${mapBytes.toFixed(1)} B, Keydir ${keydirBytes.toFixed(1)} B, ratio ${(keydirBytes / mapBytes).toFixed(2)}x`,
);

// ---- minimal log ----
const minimalPath = join(root, 'minimal.log');
const offsets = new Map<string, number>();
let position = 0;
const minimalSet = await time('minimal log: sequential set', count, () => {
  for (let i = 0; i < count; i++) {
    const line = Buffer.from(value);
    appendFileSync(minimalPath, line);
    offsets.set(keyOf(i), position);
    position += line.length;
  }
});
const fd = openSync(minimalPath, 'r');
const scratch = Buffer.allocUnsafe(100);
const minimalGet = await time('minimal log: get (awaited like an async API)', count, async () => {
  const get = async (key: string) => {
    readSync(fd, scratch, 0, 100, offsets.get(key)!);
    return scratch.toString('utf8', 0, 100);
  };
  for (let i = 0; i < count; i++) await get(keyOf(i));
});
closeSync(fd);

// ---- log engine ----
const dir = join(root, 'log');
const log = new LogBackend({ dir, durability: 'none' });
await log.open();
const logSet = await time('LogBackend (none): sequential await set', count, async () => {
  for (let i = 0; i < count; i++) await log.set(keyOf(i), value);
});
const logGet = await time('LogBackend: sequential await get', count, async () => {
  for (let i = 0; i < count; i++) await log.get(keyOf(i));
});
await log.close();
console.log(
  `ratios: get ${(logGet / minimalGet).toFixed(2)}x, set ${(logSet / minimalSet).toFixed(2)}x of the minimal log`,
);

// ---- group commit ----
const fsyncFile = openSync(join(root, 'fsync-probe'), 'w');
const fsyncRate = await time('one fsync per write (100 writes)', 100, () => {
  for (let i = 0; i < 100; i++) {
    appendFileSync(fsyncFile, value);
    fsyncSync(fsyncFile);
  }
});
closeSync(fsyncFile);
const batch = new LogBackend({ dir: join(root, 'batch'), durability: 'batch' });
await batch.open();
const batchRate = await time('LogBackend (batch): 10,000 concurrent sets', 10_000, async () => {
  await Promise.all(Array.from({ length: 10_000 }, (_, i) => batch.set(keyOf(i), value)));
});
await batch.close();
console.log(`concurrent batch sets: ${(batchRate / fsyncRate).toFixed(1)}x what one fsync per write allows`);

// ---- open: hints against a scan ----
const hinted = new LogBackend({ dir: join(root, 'hinted'), durability: 'none', maxFileSize: 8 * 1024 * 1024 });
await hinted.open();
for (let chunk = 0; chunk < count; chunk += 1000) {
  await hinted.apply(Array.from({ length: 1000 }, (_, i) => ({ type: 'set' as const, key: keyOf(chunk + i), value })));
}
await hinted.close();
const scanStart = process.hrtime.bigint();
const scanned = new LogBackend({ dir: join(root, 'hinted'), maxFileSize: 8 * 1024 * 1024 });
await scanned.open();
const scanMs = Number(process.hrtime.bigint() - scanStart) / 1e6;
await scanned.set('rotate', 'x'.repeat(8 * 1024 * 1024 - 100)); // every data file is now immutable
await scanned.merge();
await scanned.close();
const hintStart = process.hrtime.bigint();
const fromHints = new LogBackend({ dir: join(root, 'hinted'), maxFileSize: 8 * 1024 * 1024 });
await fromHints.open();
const hintMs = Number(process.hrtime.bigint() - hintStart) / 1e6;
console.log(
  `open of ${count} keys: full scan ${scanMs.toFixed(0)} ms, from hint files ${hintMs.toFixed(0)} ms (${(hintMs / scanMs).toFixed(2)}x)`,
);
await fromHints.close();
rmSync(root, { recursive: true, force: true });
