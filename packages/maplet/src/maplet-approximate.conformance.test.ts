/**
 * The conformance kit in approximate mode: the exact-answer cases are gated off by
 * `supports.exactMembership: false`, and the approximate-membership case checks the
 * maplet's promises (no false negative ever; measured false-positive rate within ε).
 */
import { join } from 'node:path';
import { describeBackend, tempDir } from '@stowage/conformance';
import { MapletBackend } from './maplet-backend.js';

const directory = tempDir('stowage-maplet-approximate-kit');

describeBackend({
  name: 'maplet (approximate)',
  create: () =>
    new MapletBackend({
      dir: join(directory(), 'store'),
      maplet: { falsePositiveRate: 0.01, valueBits: 8, merge: 'max' },
    }),
  approximate: { falsePositiveRate: 0.01 },
});
