/** `pnpm demo`: runs the demo in a temporary directory and exits 0 (`--keep <dir>` keeps the files in a new folder there). */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';
import { runMapletDemo } from './maplet-demo.js';
import { runSegmentDemo } from './segment-demo.js';

const usage = `pnpm demo [--keep <dir>]

  --keep <dir>   keep the demo's stores in a new folder under <dir> (default: a temporary folder, removed)
  --help         print this and exit`;

let values: { keep?: string | undefined; help?: boolean | undefined };
try {
  // `pnpm demo -- --help` hands the script a literal `--`; it separates nothing here.
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  ({ values } = parseArgs({ args, options: { keep: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  process.exit(2);
}
if (values.help === true) {
  console.log(usage);
  process.exit(0);
}
if (values.keep === undefined) {
  await runDemo();
  await runSegmentDemo();
  await runMapletDemo();
} else {
  // A new folder each run, so a second run does not start from the first one's counters.
  mkdirSync(resolve(values.keep), { recursive: true });
  const dir = mkdtempSync(join(resolve(values.keep), 'run-'));
  await runDemo({ dir });
  await runSegmentDemo({ dir: join(dir, 'segment') });
  await runMapletDemo({ dir: join(dir, 'maplet') });
}
