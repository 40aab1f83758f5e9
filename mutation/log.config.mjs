// StrykerJS over packages/log against its own tests: `pnpm exec stryker run mutation/log.config.mjs`.
import { packageRun } from './options.mjs';

export default packageRun('log');
