import { mutationTests } from './vitest-base.ts';

export default mutationTests(['packages/core/src/**/*.test.ts', 'packages/core/test/**/*.test.ts']);
