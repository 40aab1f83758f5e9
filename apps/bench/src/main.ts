/** `pnpm bench`: runs the bench, prints the tables, writes results/latest.md and latest.svg. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench } from './bench.js';
import { parseOptions, usage } from './options.js';
import { renderMarkdown } from './report-markdown.js';
import { renderSvg } from './report-svg.js';
import { subjects } from './subjects/registry.js';
import { evaluateTargets } from './targets.js';

const defaultResultsDir = fileURLToPath(new URL('../results', import.meta.url));
const argv = process.argv.slice(2);
if (argv.includes('--ycsb')) {
  // YCSB has its own options (records, ops, distributions): see ycsb/options.ts.
  const { ycsbMain } = await import('./ycsb/main.js');
  const code = await ycsbMain(argv, defaultResultsDir);
  // Native peers (sqlite3's worker pool, lmdb) may keep the event loop alive after close.
  process.exit(code);
}
if (argv.includes('--million')) {
  // Issue 13's 1,000,000-key load, raw log vs a full-cache PersistentMap: see million/run-million.ts.
  const { millionMain } = await import('./million/run-million.js');
  process.exit(await millionMain(argv, defaultResultsDir));
}
let options: ReturnType<typeof parseOptions>;
try {
  options = parseOptions(argv, defaultResultsDir);
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage);
  process.exit(0);
}
if (options.list) {
  for (const subject of subjects) console.log(`${subject.id.padEnd(18)} ${subject.group.padEnd(10)} ${subject.label}`);
  process.exit(0);
}

const result = await runBench(options, (line) => console.error(line));
const targets = evaluateTargets(result);
const markdown = renderMarkdown(result, targets, ['pnpm bench', ...argv].join(' '));
console.log(`\n${markdown}`);
if (options.resultsDir !== undefined) {
  mkdirSync(options.resultsDir, { recursive: true });
  writeFileSync(join(options.resultsDir, 'latest.md'), markdown);
  writeFileSync(join(options.resultsDir, 'latest.svg'), renderSvg(result));
  console.error(`wrote ${join(options.resultsDir, 'latest.md')} and latest.svg`);
}
// Native peers (sqlite3's worker pool, lmdb) may keep the event loop alive after close.
process.exit(0);
