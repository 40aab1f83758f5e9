// Shared StrykerJS options for `pnpm mutate` (every package) and the per-package runs in
// this folder (`pnpm exec stryker run mutation/<pkg>.config.mjs`). See CONTRIBUTING.md,
// "Mutation testing".

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export const shared = {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner', './mutation/ignorers.mjs'],
  // Reported as ignored, with the reason (see ignorers.mjs): mutants that change only
  // what an error message says, and equivalent mutants listed node by node.
  ignorers: ['wording', 'equivalent'],
  ignorePatterns: ['dist', 'reports', 'apps/bench/results', '.turbo', 'docs'],
  incremental: true,
  // Vitest does not type-check, and Stryker's `// @ts-nocheck` headers would break the
  // tests that compare README examples with their fixture files word for word.
  disableTypeChecks: false,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  // One worker: the machines this runs on are shared and have 2 cores.
  concurrency: 1,
  // A mutant's tests may take 1.5x their normal time plus this before it counts as a
  // timeout (a timeout is reported, never counted as killed in CONTRIBUTING's score).
  timeoutMS: 10_000,
  thresholds: { high: 90, low: 80, break: null },
};

const sourceGlobs = (pkg) => [
  `packages/${pkg}/src/**/*.ts`,
  `!packages/${pkg}/src/**/*.test.ts`,
  `!packages/${pkg}/src/**/*.fixture.ts`,
  `!packages/${pkg}/src/**/fixtures/**`,
  `!packages/${pkg}/src/index.ts`,
  `!packages/${pkg}/src/testing.ts`,
];

/**
 * A run over one package's sources against the test files mutation/<pkg>.vitest.config.ts
 * lists (the package's own quick tests), with its own incremental file and report. Without
 * this, a mutant in a file every engine imports runs every engine's tests.
 * @param {string} pkg folder name under packages/
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function packageRun(pkg) {
  return {
    ...shared,
    mutate: sourceGlobs(pkg),
    vitest: { configFile: `mutation/${pkg}.vitest.config.ts`, related: false },
    // Committed, so the next machine (and CI-less sessions) starts from the last run's results
    // and only re-tests mutants whose code or covering tests changed since.
    incrementalFile: `mutation/incremental/${pkg}.json`,
    htmlReporter: { fileName: `reports/mutation/${pkg}/index.html` },
    jsonReporter: { fileName: `reports/mutation/${pkg}/mutation.json` },
    // With `--reporters ...,event-recorder`, every mutant's result as it comes (a long run
    // stopped early still shows what it measured).
    eventReporter: { baseDir: `reports/mutation/${pkg}/events` },
  };
}
