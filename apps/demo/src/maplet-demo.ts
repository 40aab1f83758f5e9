/**
 * The maplet's scenario: counting page views in a few bits per page, on disk. A stream of
 * views (a skewed mix over 20,000 pages) goes into an approximate maplet with 16-bit
 * counters merged by `sum`; the store is closed and reopened; the counts never fall short
 * of the truth, pages never viewed answer "absent" with probability 1 − ε, and stats()
 * reports what it measured. Returns what it observed so a test can check it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MapletBackend } from '@stowage/maplet';

export interface MapletDemoReport {
  readonly views: number;
  readonly pages: number;
  /** Pages whose count after the reopen is below the true count (must be 0). */
  readonly undercounted: number;
  /** Pages whose count is above the true count (a collision merged another page in). */
  readonly overcounted: number;
  readonly neverViewedFound: number;
  readonly neverViewedProbes: number;
  readonly bitsPerKey: number;
  readonly measuredRate: number;
  readonly topPage: readonly [string, number];
}

export async function runMapletDemo(
  options: { print?: (line: string) => void; dir?: string } = {},
): Promise<MapletDemoReport> {
  const print = options.print ?? console.log;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'stowage-maplet-demo-'));
  mkdirSync(dir, { recursive: true });
  const create = () =>
    new MapletBackend({
      dir: join(dir, 'views'),
      durability: 'none', // a page-view counter can lose the last moment of a power cut
      maplet: { falsePositiveRate: 0.01, valueBits: 16, merge: 'sum', capacity: 4_096 },
    });
  try {
    print('\nmaplet: counting page views in a few bits per page');
    const pages = 20_000;
    const truth = new Map<string, number>();
    let state = 42;
    const random = () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state / 2 ** 32;
    };
    let store = create();
    await store.open();
    const views = 100_000;
    for (let i = 0; i < views; i++) {
      // Skewed: a few pages get most of the views.
      const page = `/article/${Math.floor(pages * random() ** 3)}`;
      truth.set(page, (truth.get(page) ?? 0) + 1);
      await store.set(page, '1');
    }
    await store.close();
    store = create();
    await store.open();
    let undercounted = 0;
    let overcounted = 0;
    let topPage: [string, number] = ['', 0];
    for (const [page, count] of truth) {
      const answer = Number((await store.get(page)) ?? 0);
      if (answer < Math.min(count, 65_535)) undercounted++;
      if (answer > count) overcounted++;
      if (answer > topPage[1]) topPage = [page, answer];
    }
    const neverViewedProbes = 20_000;
    let neverViewedFound = 0;
    for (let i = 0; i < neverViewedProbes; i++) if ((await store.get(`/never/${i}`)) !== undefined) neverViewedFound++;
    const stats = store.stats(100_000);
    print(
      `  ${views.toLocaleString('en-US')} views of ${truth.size.toLocaleString('en-US')} pages, counted after a reopen:`,
    );
    print(
      `  undercounted pages: ${undercounted}; overcounted (collisions merged): ${overcounted}; top page ${topPage[0]} = ${topPage[1]}`,
    );
    print(
      `  never-viewed pages found: ${neverViewedFound} of ${neverViewedProbes} (${((100 * neverViewedFound) / neverViewedProbes).toFixed(2)}%); ` +
        `measured rate ${(100 * stats.measuredFalsePositiveRate.rate).toFixed(2)}% [${(100 * stats.measuredFalsePositiveRate.low).toFixed(2)}-${(100 * stats.measuredFalsePositiveRate.high).toFixed(2)}%], target 1%`,
    );
    print(
      `  ${stats.bitsPerKey.toFixed(1)} bits per page (16 of them the counter) at load ${stats.loadFactor.toFixed(2)}, ` +
        `${stats.resizes} doublings, ${stats.generationsAdded} tables added, longest run ${stats.longestRun}`,
    );
    await store.close();
    return {
      views,
      pages: truth.size,
      undercounted,
      overcounted,
      neverViewedFound,
      neverViewedProbes,
      bitsPerKey: stats.bitsPerKey,
      measuredRate: stats.measuredFalsePositiveRate.rate,
      topPage,
    };
  } finally {
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
