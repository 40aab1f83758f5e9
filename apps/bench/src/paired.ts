/**
 * Every ratio target measured a second time with its two sides side by side: gets in
 * alternating rounds (./alternating-gets.ts), writes in alternating windows
 * (./alternating-writes.ts), each pair in a fresh process. A target is judged on this
 * figure when it exists; the per-subject table, measured minutes apart on a machine whose
 * load drifts, is kept beside it.
 */
import { alternatingGets } from './alternating-gets.js';
import { alternatingWrites, type WriteWorkload } from './alternating-writes.js';
import type { BenchOptions } from './options.js';
import type { PairedFigure } from './results.js';
import { formatRatio, pairKey, ratioTargets } from './targets.js';
import type { TempDirs } from './temp-dirs.js';

const writeWorkloads: readonly string[] = ['set-seq', 'set-chunk', 'concurrent-set'];

export async function measurePaired(
  ran: ReadonlySet<string>,
  options: BenchOptions,
  temp: TempDirs,
  progress: (line: string) => void,
): Promise<Record<string, PairedFigure>> {
  const figures: Record<string, PairedFigure> = {};
  for (const target of ratioTargets) {
    if (!ran.has(target.subject) || !ran.has(target.reference)) continue;
    const referenceWorkload = target.referenceWorkload ?? target.workload;
    let figure: PairedFigure;
    if (target.workload === 'get-existing' && referenceWorkload === 'get-existing') {
      const rounds = options.rounds * 2 + 1;
      const answer = await alternatingGets(
        [target.subject, target.reference],
        options.keys,
        rounds,
        options.roundMs,
        temp,
      );
      figure =
        'skipped' in answer
          ? answer
          : {
              ratio: (answer.rates.median[target.subject] ?? 0) / (answer.rates.median[target.reference] ?? 1),
              detail: `${rounds} alternating rounds each in one fresh process, medians (fastest rounds: ${formatRatio(
                (answer.rates.best[target.subject] ?? 0) / (answer.rates.best[target.reference] ?? 1),
              )})`,
            };
    } else if (writeWorkloads.includes(target.workload) && writeWorkloads.includes(referenceWorkload)) {
      const answer = await alternatingWrites(
        [
          { subject: target.subject, workload: target.workload as WriteWorkload },
          { subject: target.reference, workload: referenceWorkload as WriteWorkload },
        ],
        options.keys,
        options.budgetMs,
        options.concurrentCalls,
        temp,
      );
      figure =
        'skipped' in answer
          ? answer
          : {
              ratio: answer.rates[0].rate / answer.rates[1].rate,
              detail: `${answer.windows} alternating windows each in one fresh process (${answer.rates[0].operations} vs ${answer.rates[1].operations} ops)`,
            };
    } else {
      continue;
    }
    figures[pairKey(target)] = figure;
    const shown = 'ratio' in figure ? formatRatio(figure.ratio) : figure.skipped;
    progress(
      `  paired          ${target.subject} ${target.workload} / ${target.reference} ${referenceWorkload}: ${shown}`,
    );
  }
  return figures;
}
