import { mutationTests } from './vitest-base.ts';

// Left out for time: the conformance runs (log.conformance.test.ts, and log-none.conformance.test.ts,
// 70 of the 75 seconds of the log's tests, with two process kills; lone-write.test.ts covers the
// durability-none path), crash.test.ts (kills writer processes) and merge-stress.test.ts (merges for seconds).
export default mutationTests(
  ['packages/log/src/**/*.test.ts'],
  [
    'packages/log/src/log.conformance.test.ts',
    'packages/log/src/log-none.conformance.test.ts',
    'packages/log/src/crash.test.ts',
    'packages/log/src/merge-stress.test.ts',
  ],
);
