import { mutationTests } from './vitest-base.ts';

// The exact-mode conformance run (maplet.conformance.test.ts) is left out: it takes nearly
// 3 minutes on a shared 2-core machine. The approximate-mode one (one case, about 20 s) stays:
// it is the only test of the false-positive promise through the backend.
export default mutationTests(['packages/maplet/src/**/*.test.ts'], ['packages/maplet/src/maplet.conformance.test.ts']);
