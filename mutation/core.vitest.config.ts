import { mutationTests } from './vitest-base.ts';

const config = mutationTests(['packages/core/src/**/*.test.ts', 'packages/core/test/**/*.test.ts']);

// Core's tests finish in well under a second each. A mutant that leaves a write pending for
// ever (set-batch.ts) should fail its test after 15 s, not hang until Stryker's own timeout,
// which reports it as a timeout instead of killed.
export default { ...config, test: { ...config.test, testTimeout: 15_000, hookTimeout: 15_000 } };
