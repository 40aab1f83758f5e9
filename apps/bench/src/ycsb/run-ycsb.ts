/** A YCSB run: each subject in its own child process, one after another (a shared 2-core machine). */
import { runChild } from '../child-process.js';
import { describeMachine, type Machine } from '../machine.js';
import { TempDirs } from '../temp-dirs.js';
import type { YcsbOptions } from './options.js';
import type { SubjectResult, YcsbSettings } from './run-subject.js';
import { ycsbSubjects } from './subjects.js';

export interface YcsbResult {
  readonly machine: Machine;
  readonly settings: YcsbSettings;
  readonly durationMs: number;
  readonly subjects: SubjectResult[];
}

export async function runYcsb(options: YcsbOptions, progress: (line: string) => void = () => {}): Promise<YcsbResult> {
  for (const id of options.only) {
    if (!ycsbSubjects.some((subject) => subject.id === id)) {
      throw new Error(`unknown YCSB subject ${id}; known: ${ycsbSubjects.map((subject) => subject.id).join(', ')}`);
    }
  }
  const selected = options.only.length === 0 ? ycsbSubjects : ycsbSubjects.filter((s) => options.only.includes(s.id));
  const machine = describeMachine();
  const started = performance.now();
  const temp = new TempDirs(options.tempParent);
  const results: SubjectResult[] = [];
  try {
    for (const subject of selected) {
      let dir = temp.fresh(`ycsb-${subject.id}`);
      progress(subject.label);
      const run = () =>
        runChild<SubjectResult>('./ycsb/ycsb-child.ts', { subject: subject.id, dir, settings: options.settings });
      const failed = (error: string): SubjectResult => ({
        id: subject.id,
        label: subject.label,
        group: subject.group,
        error,
        runs: [],
      });
      let result: SubjectResult;
      try {
        result = await run();
      } catch (first) {
        // A child that exits with an error (rather than reporting a failure) is run once
        // more in a fresh store: the work tree is shared and a package edited mid-run has
        // killed children before. Both outcomes are reported; a second death is the
        // subject's failure. A child killed at the time limit is not run again.
        if ((first as { signal?: unknown }).signal) result = failed(`failed: ${firstLine(first)}`);
        else {
          temp.discard(dir);
          dir = temp.fresh(`ycsb-${subject.id}-again`);
          progress(`  child died (${firstLine(first)}); running it once more`);
          try {
            result = { ...(await run()), retried: firstLine(first) };
          } catch (second) {
            result = failed(`failed: ${firstLine(second)} (first attempt: ${firstLine(first)})`);
          }
        }
      } finally {
        temp.discard(dir);
      }
      for (const run of result.runs) {
        progress(
          `  ${run.workload} ${run.distribution.padEnd(8)} ${run.cannot ?? `${Math.round(run.throughput)} ops/s${run.partial ? ` (budget: ${run.operations} ops)` : ''}${run.notFound > 0 ? ` ${run.notFound} NOT FOUND` : ''}`}`,
        );
      }
      if (result.error) progress(`  ${result.error}`);
      results.push(result);
    }
  } finally {
    temp.remove();
  }
  return { machine, settings: options.settings, durationMs: performance.now() - started, subjects: results };
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}
