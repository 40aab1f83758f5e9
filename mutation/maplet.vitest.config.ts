import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { mutationTests } from './vitest-base.ts';

// The exact-mode conformance run (maplet.conformance.test.ts) is left out: it takes nearly
// 3 minutes on a shared 2-core machine. The approximate-mode one (one case, about 20 s) stays:
// it is the only test of the false-positive promise through the backend.
const config = mutationTests(['packages/maplet/src/**/*.test.ts'], ['packages/maplet/src/maplet.conformance.test.ts']);

// The unit tests of the hash, the bit tricks and the table first: a mutant there that makes
// the engine spin (a constant hash, a wrong select) fails one of them in milliseconds, and the
// bail ends the run before a slower engine test could hang until the timeout. Order only.
const unitTestsFirst = [
  'hash.test.ts',
  'bits.test.ts',
  'quotient-table.test.ts',
  'merge-operators.test.ts',
  'maplet-config.test.ts',
  'key-locks.test.ts',
  'change-log.test.ts',
  'snapshot-format.test.ts',
];

class UnitTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = unitTestsFirst.findIndex((name) => file.moduleId.endsWith(`/${name}`));
      return index < 0 ? unitTestsFirst.length : index;
    };
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}

export default { ...config, test: { ...config.test, sequence: { sequencer: UnitTestsFirst } } };
