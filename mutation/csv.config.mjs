// StrykerJS over packages/csv against its own tests: `pnpm exec stryker run mutation/csv.config.mjs`.
import { packageRun } from './options.mjs';

export default packageRun('csv');
