import { mutationTests } from './vitest-base.ts';

// The conformance run (segment.conformance.test.ts) is left out: it takes about 3 minutes on
// a shared 2-core machine, so a mutant its cases cover that hangs would wait minutes before
// it counts as a timeout.
export default mutationTests(
  ['packages/segment/src/**/*.test.ts'],
  ['packages/segment/src/segment.conformance.test.ts'],
);
