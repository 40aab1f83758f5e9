/** A YCSB run: each subject in its own child process, one after another (a shared 2-core machine). */
import { join } from 'node:path';
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
      const dir = temp.fresh(`ycsb-${subject.id}`);
      progress(subject.label);
      let result: SubjectResult;
      try {
        result = await runChild<SubjectResult>('./ycsb/ycsb-child.ts', {
          subject: subject.id,
          dir: join(dir),
          settings: options.settings,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        result = { id: subject.id, label: subject.label, group: subject.group, error: `failed: ${message}`, runs: [] };
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
