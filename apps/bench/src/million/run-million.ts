/**
 * `pnpm bench -- --million`: issue 13's load script. Loads 1,000,000 keys (the bench's
 * ~100-byte records) in chunks of 1,000 into a log store, raw (`apply`, values as JSON
 * text) and under a full-cache PersistentMap (`setMany`, values as objects), each load in
 * its own fresh child process, in the order raw, map, map, raw, ... so load drift on a
 * shared machine hits both sides alike. Reports the median time and peak RSS of each side
 * and their ratios, and writes results/million.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runChild } from '../child-process.js';
import { describeMachine, type Machine } from '../machine.js';
import { median } from '../measure.js';
import { positiveInteger } from '../options.js';
import { TempDirs } from '../temp-dirs.js';

export type MillionSide = 'raw' | 'map';
type Durability = 'none' | 'batch';

export interface MillionRequest {
  readonly side: MillionSide;
  readonly keys: number;
  readonly dir: string;
  readonly durability: Durability;
}

export interface MillionAnswer {
  readonly side: MillionSide;
  readonly keys: number;
  /** Creating and opening the empty store. */
  readonly openMs: number;
  /** Open, every store call of the load, and close: the entries' making left out. */
  readonly loadMs: number;
  /** The same with the entries' making: what a script loading generated data would see. */
  readonly wallMs: number;
  readonly rssBeforeMiB: number;
  readonly peakRssMiB: number;
}

export interface MillionOptions {
  readonly keys: number;
  readonly rounds: number;
  readonly durability: Durability;
  readonly tempParent: string | undefined;
  readonly resultsDir: string | undefined;
  readonly help: boolean;
}

export const millionUsage = `pnpm bench -- --million [options]

  --keys <n>            keys loaded (default 1000000)
  --rounds <n>          loads per side, alternating raw, map, map, raw, ... (default 2)
  --durability <d>      the log's durability: batch (default) or none
  --dir <path>          where the temporary stores go (default: the OS temp dir)
  --out <path>          where million.md goes (default: apps/bench/results)
  --no-write            print only`;

export function parseMillionOptions(argv: readonly string[], defaultResultsDir: string): MillionOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--' && arg !== '--million'),
    options: {
      keys: { type: 'string' },
      rounds: { type: 'string' },
      durability: { type: 'string' },
      dir: { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const durability = values.durability ?? 'batch';
  if (durability !== 'batch' && durability !== 'none') {
    throw new Error(`durability must be batch or none, got ${durability}`);
  }
  return {
    keys: positiveInteger(values.keys ?? '1000000', 'keys'),
    rounds: positiveInteger(values.rounds ?? '2', 'rounds'),
    durability,
    tempParent: values.dir,
    resultsDir: values['no-write'] === true ? undefined : (values.out ?? defaultResultsDir),
    help: values.help === true,
  };
}

export interface MillionResult {
  readonly machine: Machine;
  readonly options: MillionOptions;
  readonly loads: readonly MillionAnswer[];
  readonly loadAverageAtEnd: number;
}

/** raw, map, map, raw, raw, map, ...: each side goes first half the time. */
export function millionOrder(rounds: number): MillionSide[] {
  return Array.from({ length: rounds * 2 }, (_, i) => (i % 4 === 0 || i % 4 === 3 ? 'raw' : 'map'));
}

export async function runMillion(
  options: MillionOptions,
  progress: (line: string) => void = () => {},
): Promise<MillionResult> {
  const machine = describeMachine();
  const temp = new TempDirs(options.tempParent);
  const loads: MillionAnswer[] = [];
  try {
    for (const side of millionOrder(options.rounds)) {
      const dir = temp.fresh(`million-${side}`);
      try {
        const request: MillionRequest = { side, keys: options.keys, dir, durability: options.durability };
        // A million keys through a slow disk can take minutes; 30 minutes is a hang.
        const load = await runChild<MillionAnswer>('./million/million-child.ts', request, 1_800_000);
        progress(
          `  ${side.padEnd(4)} ${(load.loadMs / 1000).toFixed(1)} s, peak RSS ${load.peakRssMiB.toFixed(0)} MiB (load ${loadavg()[0]?.toFixed(1)})`,
        );
        loads.push(load);
      } finally {
        temp.discard(dir);
      }
    }
  } finally {
    temp.remove();
  }
  return { machine, options, loads, loadAverageAtEnd: loadavg()[0] ?? 0 };
}

export function renderMillionMarkdown(result: MillionResult, command: string): string {
  const { machine, options } = result;
  const of = (side: MillionSide) => result.loads.filter((load) => load.side === side);
  const figure = (side: MillionSide, pick: (load: MillionAnswer) => number) => median(of(side).map(pick));
  const rows: [string, (load: MillionAnswer) => number, (value: number) => string][] = [
    ['load time, store calls (open, chunks, close)', (load) => load.loadMs, seconds],
    ['load time, wall clock (entries made in the loop)', (load) => load.wallMs, seconds],
    ['open of the empty store', (load) => load.openMs, (ms) => `${ms.toFixed(0)} ms`],
    ['peak RSS', (load) => load.peakRssMiB, mib],
    ['peak RSS rise over the process before open', (load) => load.peakRssMiB - load.rssBeforeMiB, mib],
  ];
  const lines = [
    `# ${options.keys.toLocaleString('en-US')} keys into a log store: raw vs a full-cache PersistentMap`,
    '',
    `Command: \`${command}\``,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ${machine.date}; load average ${machine.loadAverage.toFixed(1)} at the start, ${result.loadAverageAtEnd.toFixed(1)} at the end. The machine is shared: compare the two sides of this run, never figures across runs.`,
    '',
    `The bench's records (~100-byte JSON objects, hashed keys) in chunks of 1,000: raw \`LogBackend.apply\` with values as JSON text, or \`PersistentMap.setMany\` with values as objects (the map encodes them and keeps every one in its cache); log durability \`${options.durability}\`; each load in a fresh process, ${options.rounds} per side in the order raw, map, map, raw, ...; medians.`,
    '',
    '| figure | raw log | PersistentMap (full cache) over log | map / raw |',
    '|---|--:|--:|--:|',
  ];
  for (const [name, pick, format] of rows) {
    const raw = figure('raw', pick);
    const map = figure('map', pick);
    lines.push(`| ${name} | ${format(raw)} | ${format(map)} | ${(map / raw).toFixed(2)}x |`);
  }
  lines.push('', 'Every load:', '');
  for (const load of result.loads) {
    lines.push(
      `- ${load.side}: ${seconds(load.loadMs)} in store calls, ${seconds(load.wallMs)} wall, peak RSS ${mib(load.peakRssMiB)} (${mib(load.rssBeforeMiB)} before open)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (value: number) => `${value.toFixed(0)} MiB`;

export async function millionMain(argv: readonly string[], defaultResultsDir: string): Promise<number> {
  let options: MillionOptions;
  try {
    options = parseMillionOptions(argv, defaultResultsDir);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${millionUsage}`);
    return 2;
  }
  if (options.help) {
    console.log(millionUsage);
    return 0;
  }
  const result = await runMillion(options, (line) => console.error(line));
  const markdown = renderMillionMarkdown(result, ['pnpm bench --', ...argv.filter((arg) => arg !== '--')].join(' '));
  console.log(`\n${markdown}`);
  if (options.resultsDir !== undefined) {
    mkdirSync(options.resultsDir, { recursive: true });
    writeFileSync(join(options.resultsDir, 'million.md'), markdown);
    console.error(`wrote ${join(options.resultsDir, 'million.md')}`);
  }
  return 0;
}
