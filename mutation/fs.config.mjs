// StrykerJS over packages/fs against its own tests: `pnpm exec stryker run mutation/fs.config.mjs`.
import { packageRun } from './options.mjs';

export default packageRun('fs');
