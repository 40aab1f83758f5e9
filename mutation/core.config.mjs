// StrykerJS over packages/core against its own tests: `pnpm exec stryker run mutation/core.config.mjs`.
import { packageRun } from './options.mjs';

export default packageRun('core');
