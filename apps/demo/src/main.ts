/** `pnpm demo`: runs the demo in a temporary directory and exits 0 (`--keep <dir>` keeps the files there). */
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';

const { values } = parseArgs({ options: { keep: { type: 'string' } } });
await runDemo(values.keep === undefined ? {} : { dir: values.keep });
