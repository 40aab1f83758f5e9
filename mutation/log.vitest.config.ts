import { mutationTests } from './vitest-base.ts';

// Left out for time: the conformance run (log.conformance.test.ts), crash.test.ts (kills
// writer processes) and merge-stress.test.ts (merges for seconds).
export default mutationTests(
  ['packages/log/src/**/*.test.ts'],
  [
    'packages/log/src/log.conformance.test.ts',
    'packages/log/src/crash.test.ts',
    'packages/log/src/merge-stress.test.ts',
  ],
);
