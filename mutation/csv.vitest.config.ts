import { mutationTests } from './vitest-base.ts';

// The conformance run (csv.conformance.test.ts, over a minute) is left out: a mutant its
// 300 tests cover would wait minutes before it counts as a timeout.
export default mutationTests(['packages/csv/src/**/*.test.ts'], ['packages/csv/src/csv.conformance.test.ts']);
