/**
 * The segment engine's scenario: a sorted export (daily temperature readings, keyed
 * station/date) built into one segment file from a stream and queried by range, then the
 * same keys taking random updates through the LSM engine, compacted, and queried newest
 * first. Returns what it observed so a test can check it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentBackend, SegmentReader, SegmentWriter } from '@stowage/segment';

export interface SegmentDemoReport {
  readonly built: number;
  readonly januaryAtOslo: number;
  readonly updated: number;
  readonly newestThree: readonly string[];
  readonly writeAmplification: number;
}

const stations = ['bergen', 'oslo', 'tromso'];
const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString().slice(0, 10);

export async function runSegmentDemo(
  options: { print?: (line: string) => void; dir?: string } = {},
): Promise<SegmentDemoReport> {
  const print = options.print ?? console.log;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'stowage-segment-demo-'));
  mkdirSync(dir, { recursive: true });
  try {
    print('\nsegment: a sorted stream built into one file, then an LSM store taking random writes');
    async function* readings() {
      for (const station of stations) {
        for (let n = 0; n < 365; n++)
          yield [`${station}/${day(n)}`, `${(Math.sin(n / 58) * 12).toFixed(1)}°C`] as const;
      }
    }
    const info = await SegmentWriter.write(join(dir, 'readings.seg'), readings());
    print(`  built ${info.entries} readings into ${info.dataBlocks} blocks (${info.size} bytes)`);
    const reader = SegmentReader.open(join(dir, 'readings.seg'));
    const january = [...reader.entries({ gte: 'oslo/2025-01-01', lt: 'oslo/2025-02-01' })];
    print(`  oslo in January: ${january.length} readings, first ${january[0]?.join(' = ')}`);
    reader.close();

    const store = new SegmentBackend({ dir: join(dir, 'store'), memtableBytes: 16 * 1024 });
    await store.open();
    for await (const [key, value] of (async function* () {
      yield* readings();
    })()) {
      await store.set(key, value);
    }
    // Corrections arrive in random order; the engine takes them as plain writes.
    let updated = 0;
    for (let n = 0; n < 365; n += 7) {
      await store.set(`tromso/${day(n)}`, 'corrected');
      updated++;
    }
    await store.compact();
    const newestThree: string[] = [];
    for await (const [key, value] of store.entries({ prefix: 'tromso/', reverse: true, limit: 3 })) {
      newestThree.push(`${key} = ${value}`);
    }
    print(`  newest tromso readings: ${newestThree.join(', ')}`);
    const stats = await store.stats();
    print(
      `  ${stats.files} segment files in ${stats.levels.filter((level) => level.files > 0).length} levels; write amplification ${stats.writeAmplification.toFixed(2)}`,
    );
    await store.close();
    return {
      built: info.entries,
      januaryAtOslo: january.length,
      updated,
      newestThree,
      writeAmplification: stats.writeAmplification,
    };
  } finally {
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
