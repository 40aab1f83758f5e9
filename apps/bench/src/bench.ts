/** One run of the bench: every selected subject on every selected workload, then the extras. */
import { measureCacheHit } from './cache-hit.js';
import { makeEntries } from './data.js';
import { measureKeydir } from './keydir-memory.js';
import { describeMachine } from './machine.js';
import type { Measurement } from './measure.js';
import { now } from './measure.js';
import { measureOpenBig } from './open-big.js';
import type { BenchOptions, ExtraId } from './options.js';
import { measurePaired } from './paired.js';
import type { BenchResult, Growth, SubjectStatus } from './results.js';
import { runSubject } from './run-subject.js';
import type { Subject } from './subject.js';
import { subjects as allSubjects, runOrder } from './subjects/registry.js';
import { TempDirs } from './temp-dirs.js';

export function selectSubjects(ids: readonly string[]): Subject[] {
  for (const id of ids) {
    if (!allSubjects.some((subject) => subject.id === id)) {
      throw new Error(`unknown subject ${id}; known: ${allSubjects.map((subject) => subject.id).join(', ')}`);
    }
  }
  return ids.length === 0 ? [...allSubjects] : allSubjects.filter((subject) => ids.includes(subject.id));
}

const runRank = (subject: Subject) => {
  const rank = runOrder.indexOf(subject.id);
  return rank === -1 ? runOrder.length : rank;
};

export async function runBench(
  options: BenchOptions,
  progress: (line: string) => void = () => {},
): Promise<BenchResult> {
  const started = now();
  const machine = describeMachine();
  const temp = new TempDirs(options.tempParent);
  const statuses: SubjectStatus[] = [];
  const measurements: Measurement[] = [];
  const growth: Record<string, Growth> = {};
  try {
    const entries = makeEntries(options.keys);
    const selected = selectSubjects(options.subjects);
    for (const subject of [...selected].sort((a, b) => runRank(a) - runRank(b))) {
      const opener = await subject.prepare();
      const base = { id: subject.id, label: subject.label, group: subject.group };
      if (!opener.available) {
        progress(`${subject.label}: skipped (${opener.reason})`);
        statuses.push({ ...base, status: 'skipped', reasons: [opener.reason] });
        continue;
      }
      progress(subject.label);
      const run = await runSubject(subject, opener, entries, options, temp, progress);
      measurements.push(...run.measurements);
      if (run.growth) growth[subject.id] = run.growth;
      statuses.push({ ...base, status: run.failures.length > 0 ? 'failed' : 'ran', reasons: run.failures });
    }

    const wantsExtra = (extra: ExtraId) => options.extras.includes(extra);
    progress('extras');
    const cacheHit = wantsExtra('cache-hit') ? await measureCacheHit(options, temp) : { skipped: 'not selected' };
    progress(
      `  cache-hit       ${cacheHit.figures ? `${(cacheHit.figures.persistentMap / cacheHit.figures.awaitedMap).toFixed(2)}x the awaited Map` : cacheHit.skipped}`,
    );
    const ran = new Set(statuses.filter((status) => status.status !== 'skipped').map((status) => status.id));
    const paired = wantsExtra('paired') ? await measurePaired(ran, options, temp, progress) : {};
    const keydir = wantsExtra('keydir-memory') ? await measureKeydir(options.keys, temp) : { skipped: 'not selected' };
    progress(
      `  keydir-memory   ${keydir.figures ? `${keydir.figures.logPerKey.toFixed(0)} vs ${keydir.figures.mapPerKey.toFixed(0)} bytes per key` : keydir.skipped}`,
    );
    const openBig = !wantsExtra('open-big')
      ? { skipped: 'not selected' }
      : options.big
        ? await measureOpenBig(options.bigKeys, temp, progress)
        : { skipped: 'skipped: needs --big or at least 1,000,000 keys (it writes a 1,000,000-key store)' };
    progress(
      `  open-big        ${openBig.figures ? `${openBig.figures.hintMs.toFixed(0)} ms from hints vs ${openBig.figures.scanMs.toFixed(0)} ms scanning` : openBig.skipped}`,
    );
    // Tables list subjects in the registry's order, whatever order they ran in.
    const rank = (id: string) => selected.findIndex((subject) => subject.id === id);
    statuses.sort((a, b) => rank(a.id) - rank(b.id));
    return {
      options,
      machine,
      durationMs: now() - started,
      subjects: statuses,
      measurements,
      growth,
      cacheHit,
      keydir,
      openBig,
      paired,
    };
  } finally {
    temp.remove();
  }
}
