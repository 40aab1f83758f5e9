import { mutationTests } from './vitest-base.ts';

// lock-race.test.ts races 8 processes for 50 rounds (15 s or more).
const config = mutationTests(['packages/fs/src/**/*.test.ts'], ['packages/fs/src/lock-race.test.ts']);

// fs's slowest test takes under a second (lock.test.ts, a child process killed). A mutant that
// leaves a commit or a wait pending for ever (group-commit-queue.ts) fails its test after 6 s
// instead of running into Stryker's own timeout (10 s and more), reported as a timeout.
export default { ...config, test: { ...config.test, testTimeout: 6_000, hookTimeout: 6_000 } };
