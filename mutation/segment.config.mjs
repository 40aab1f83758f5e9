// StrykerJS over packages/segment against its own tests: `pnpm exec stryker run mutation/segment.config.mjs`.
import { packageRun } from './options.mjs';

export default packageRun('segment');
