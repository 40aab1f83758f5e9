// `pnpm mutate`: StrykerJS with its vitest runner over every package's sources. Each mutant
// runs the tests related to the mutated file, which for a file every engine imports means
// every engine's tests: hours on 2 cores. Day to day, run one package against its own tests
// (`pnpm exec stryker run mutation/fs.config.mjs`, see mutation/ and CONTRIBUTING.md).
// Incremental: a rerun tests only mutants whose code or tests changed. Narrow a run with
// `pnpm mutate --mutate 'packages/core/src/contract/keys.ts'`.
import { shared } from './mutation/options.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...shared,
  vitest: { configFile: 'vitest.config.ts', related: true },
  mutate: [
    'packages/*/src/**/*.ts',
    '!packages/*/src/**/*.test.ts',
    '!packages/*/src/**/*.fixture.ts',
    '!packages/*/src/**/fixtures/**',
    '!packages/*/src/index.ts',
    '!packages/conformance/src/**',
  ],
  incrementalFile: 'reports/mutation/incremental.json',
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // The long crash modes stay off; the kill-based tests still run in their short CI modes.
  timeoutMS: 60_000,
};
