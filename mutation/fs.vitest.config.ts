import { mutationTests } from './vitest-base.ts';

// lock-race.test.ts races 8 processes for 50 rounds (15 s or more).
export default mutationTests(['packages/fs/src/**/*.test.ts'], ['packages/fs/src/lock-race.test.ts']);
