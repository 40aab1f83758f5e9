/** The command line of `pnpm bench -- --ycsb`. */
import { parseArgs } from 'node:util';
import { list, positiveInteger, positiveNumber } from '../options.js';
import type { YcsbSettings } from './run-subject.js';
import { type Distribution, distributions, runOrder, type WorkloadId } from './workloads.js';

export interface YcsbOptions {
  readonly settings: YcsbSettings;
  /** Subject ids; empty: all. */
  readonly only: readonly string[];
  readonly tempParent: string | undefined;
  /** Where ycsb.md and ycsb.svg go; undefined: not written. */
  readonly resultsDir: string | undefined;
  readonly quick: boolean;
  readonly list: boolean;
  readonly help: boolean;
}

export const ycsbUsage = `pnpm bench -- --ycsb [options]

  --quick               smoke run: 1,000 records, 200 operations per workload, 0.25 s budget
  --records <n>         records loaded before the workloads (default 100000)
  --ops <n>             operations per workload and distribution (default 20000)
  --record-bytes <n>    bytes of a record, in 10 fields (default 1000: YCSB's 10 x 100)
  --budget <seconds>    most time per workload per subject (default 2; --quick: 0.25)
  --workloads <ids>     some of A,B,C,D,E,F (default all)
  --distributions <d>   zipfian,uniform (default both)
  --seed <n>            seed of every random choice (default 1)
  --only <ids>          comma-separated subject ids (see --list)
  --dir <path>          where the temporary stores go (default: the OS temp dir)
  --out <path>          where ycsb.md and ycsb.svg go (default: apps/bench/results)
  --no-write            print only
  --list                list the subjects and exit`;

export function parseYcsbOptions(argv: readonly string[], defaultResultsDir: string): YcsbOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--' && arg !== '--ycsb'),
    options: {
      quick: { type: 'boolean', default: false },
      records: { type: 'string' },
      ops: { type: 'string' },
      'record-bytes': { type: 'string' },
      budget: { type: 'string' },
      workloads: { type: 'string' },
      distributions: { type: 'string' },
      seed: { type: 'string' },
      only: { type: 'string' },
      dir: { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick === true;
  const workloads = list(values.workloads).map((id) => id.toUpperCase());
  for (const id of workloads) {
    if (!(runOrder as readonly string[]).includes(id)) throw new Error(`unknown workload ${id}; known: A-F`);
  }
  const chosen = list(values.distributions);
  for (const name of chosen) {
    if (!(distributions as readonly string[]).includes(name)) {
      throw new Error(`unknown distribution ${name}; known: ${distributions.join(', ')}`);
    }
  }
  return {
    settings: {
      records: positiveInteger(values.records ?? (quick ? '1000' : '100000'), 'records'),
      ops: positiveInteger(values.ops ?? (quick ? '200' : '20000'), 'ops'),
      recordBytes: positiveInteger(values['record-bytes'] ?? '1000', 'record-bytes'),
      budgetMs: positiveNumber(values.budget ?? (quick ? '0.25' : '2'), 'budget') * 1000,
      seed: positiveInteger(values.seed ?? '1', 'seed'),
      workloads: workloads.length === 0 ? runOrder : (workloads as WorkloadId[]),
      distributions: chosen.length === 0 ? distributions : (chosen as Distribution[]),
    },
    only: list(values.only),
    tempParent: values.dir,
    resultsDir: values['no-write'] === true ? undefined : (values.out ?? defaultResultsDir),
    quick,
    list: values.list === true,
    help: values.help === true,
  };
}
