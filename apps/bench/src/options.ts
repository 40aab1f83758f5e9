/** The command line of `pnpm bench`, parsed and checked. */
import { parseArgs } from 'node:util';
import { allWorkloads, type WorkloadId } from './subject.js';

/** Figures beside the subject × workload table, each measured once per run. */
export type ExtraId = 'cache-hit' | 'paired' | 'keydir-memory' | 'open-big';
export const allExtras: readonly ExtraId[] = ['cache-hit', 'paired', 'keydir-memory', 'open-big'];

export interface BenchOptions {
  readonly keys: number;
  readonly quick: boolean;
  /** Subject ids to run; empty: all. */
  readonly subjects: readonly string[];
  readonly workloads: readonly WorkloadId[];
  readonly extras: readonly ExtraId[];
  /** Most time one workload may take on one subject before it stops and reports a partial rate. */
  readonly budgetMs: number;
  readonly rounds: number;
  /** Least duration of one timed round of gets. */
  readonly roundMs: number;
  readonly concurrentCalls: number;
  /** Keys of the store whose open from hint files is timed against a full scan. */
  readonly bigKeys: number;
  readonly big: boolean;
  /** Parent of the temporary directory every store lives in. */
  readonly tempParent: string | undefined;
  /** Where latest.md and latest.svg go; undefined: not written. */
  readonly resultsDir: string | undefined;
}

export const usage = `pnpm bench [keys] [options]

  keys                  number of keys (default 100000; --quick: 5000)
  --quick               a fast smoke run: 5,000 keys, short budgets
  --only <ids>          comma-separated subject ids (see --list)
  --workloads <ids>     comma-separated workloads and extras:
                        ${allWorkloads.join(', ')},
                        ${allExtras.join(', ')}
  --budget <seconds>    most time per workload per subject (default 4; --quick: 1)
  --rounds <n>          timed rounds of gets (default 5)
  --big                 also time opening a 1,000,000-key log store from hint files vs a full scan
  --dir <path>          where the temporary stores go (default: the OS temp dir)
  --out <path>          where latest.md and latest.svg go (default: apps/bench/results)
  --no-write            print only
  --list                list the subjects and exit
  --ycsb                run YCSB's workloads A-F instead (its options: pnpm bench -- --ycsb --help)
  --million             load 1,000,000 keys into a log store, raw vs a full-cache PersistentMap
                        (its options: pnpm bench -- --million --help)`;

export function parseOptions(
  argv: readonly string[],
  defaultResultsDir: string,
): BenchOptions & { list: boolean; help: boolean } {
  const { values, positionals } = parseArgs({
    // `pnpm bench -- --quick` hands the script a literal `--`; it separates nothing here.
    args: argv.filter((arg) => arg !== '--'),
    allowPositionals: true,
    options: {
      keys: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      workloads: { type: 'string' },
      budget: { type: 'string' },
      rounds: { type: 'string' },
      big: { type: 'boolean', default: false },
      dir: { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      ycsb: { type: 'boolean', default: false },
      million: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick === true;
  const keys = positiveInteger(values.keys ?? positionals[0] ?? (quick ? '5000' : '100000'), 'keys');
  const selected = list(values.workloads);
  for (const name of selected) {
    if (!(allWorkloads as readonly string[]).includes(name) && !(allExtras as readonly string[]).includes(name)) {
      throw new Error(`unknown workload ${name}; known: ${[...allWorkloads, ...allExtras].join(', ')}`);
    }
  }
  const workloads = selected.length === 0 ? allWorkloads : allWorkloads.filter((id) => selected.includes(id));
  const extras = selected.length === 0 ? allExtras : allExtras.filter((id) => selected.includes(id));
  const big = values.big === true || keys >= 1_000_000;
  return {
    keys,
    quick,
    subjects: list(values.only),
    workloads,
    extras,
    budgetMs: (values.budget === undefined ? (quick ? 1 : 4) : positiveNumber(values.budget, 'budget')) * 1000,
    rounds: values.rounds === undefined ? 5 : positiveInteger(values.rounds, 'rounds'),
    roundMs: quick ? 20 : 150,
    concurrentCalls: 10_000,
    bigKeys: Math.max(1_000_000, keys),
    big,
    tempParent: values.dir,
    resultsDir: values['no-write'] === true ? undefined : (values.out ?? defaultResultsDir),
    list: values.list === true,
    help: values.help === true,
  };
}

export function list(text: string | undefined): string[] {
  return text === undefined
    ? []
    : text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
}

export function positiveInteger(text: string, name: string): number {
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${text}`);
  return value;
}

export function positiveNumber(text: string, name: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${text}`);
  return value;
}
