/** `pnpm bench -- --ycsb`: runs YCSB, prints the table, writes results/ycsb.md and ycsb.svg. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYcsbOptions, ycsbUsage } from './options.js';
import { renderYcsbMarkdown } from './report-markdown.js';
import { renderYcsbSvg } from './report-svg.js';
import { runYcsb } from './run-ycsb.js';
import { ycsbSubjects } from './subjects.js';

export async function ycsbMain(argv: readonly string[], defaultResultsDir: string): Promise<number> {
  let options: ReturnType<typeof parseYcsbOptions>;
  try {
    options = parseYcsbOptions(argv, defaultResultsDir);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${ycsbUsage}`);
    return 2;
  }
  if (options.help) {
    console.log(ycsbUsage);
    return 0;
  }
  if (options.list) {
    for (const subject of ycsbSubjects)
      console.log(`${subject.id.padEnd(18)} ${subject.group.padEnd(8)} ${subject.label}`);
    return 0;
  }
  const result = await runYcsb(options, (line) => console.error(line));
  const markdown = renderYcsbMarkdown(result, ['pnpm bench --', ...argv.filter((arg) => arg !== '--')].join(' '));
  console.log(`\n${markdown}`);
  if (options.resultsDir !== undefined) {
    mkdirSync(options.resultsDir, { recursive: true });
    writeFileSync(join(options.resultsDir, 'ycsb.md'), markdown);
    writeFileSync(join(options.resultsDir, 'ycsb.svg'), renderYcsbSvg(result));
    console.error(`wrote ${join(options.resultsDir, 'ycsb.md')} and ycsb.svg`);
  }
  return 0;
}
