/** `pnpm demo`: runs the demo in a temporary directory and exits 0 (`--keep <dir>` keeps the files in a new folder there). */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';

const { values } = parseArgs({ options: { keep: { type: 'string' } } });
if (values.keep === undefined) {
  await runDemo();
} else {
  // A new folder each run, so a second run does not start from the first one's counters.
  mkdirSync(resolve(values.keep), { recursive: true });
  await runDemo({ dir: mkdtempSync(join(resolve(values.keep), 'run-')) });
}
