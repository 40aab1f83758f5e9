// `pnpm mutate`: StrykerJS with its vitest runner over the packages' sources. Each mutant
// runs only the tests related to the mutated file (the package's own tests and the
// conformance runs that import it). Incremental: a rerun tests only mutants whose code or
// tests changed. Narrow a run with `pnpm mutate --mutate 'packages/core/src/contract/keys.ts'`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.config.ts', related: true },
  mutate: [
    'packages/*/src/**/*.ts',
    '!packages/*/src/**/*.test.ts',
    '!packages/*/src/**/*.fixture.ts',
    '!packages/*/src/**/fixtures/**',
    '!packages/*/src/index.ts',
    '!packages/conformance/src/**',
  ],
  ignorePatterns: ['dist', 'reports', 'apps/bench/results', '.turbo'],
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 2,
  timeoutMS: 60_000,
  // The long crash modes stay off; the kill-based tests still run in their short CI modes.
  thresholds: { high: 90, low: 80, break: null },
};
