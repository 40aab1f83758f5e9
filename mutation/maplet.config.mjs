// StrykerJS over packages/maplet against its own tests: `pnpm exec stryker run mutation/maplet.config.mjs`.
import { packageRun } from './options.mjs';

export default packageRun('maplet');
