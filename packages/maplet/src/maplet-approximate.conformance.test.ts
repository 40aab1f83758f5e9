/**
 * The conformance kit in approximate mode: the exact-answer cases are gated off by
 * `supports.exactMembership: false`, and the approximate-membership case checks the
 * maplet's promises (no false negative ever; measured false-positive rate within ε).
 */
import { join } from 'node:path';
import { describeBackend, tempDir } from '@stowage/conformance';
import { defaultSupports, type StorageBackend } from '@stowage/core';
import { expect, it } from 'vitest';
import { MapletBackend } from './maplet-backend.js';

const directory = tempDir('stowage-maplet-approximate-kit');
const create = () =>
  new MapletBackend({
    dir: join(directory(), 'store'),
    maplet: { falsePositiveRate: 0.01, valueBits: 8, merge: 'max' },
  });

// The kit builds one unopened instance while it collects its cases, only to read the manifest.
// Built there, outside every test, the whole constructor would count as run by no test in
// particular, so mutation testing would re-run every test for each of its mutants. The first
// instance is therefore the manifest alone; the test below holds it equal to a real one's.
const manifest = {
  ...defaultSupports,
  persistent: true,
  exactMembership: false,
  durability: ['batch'],
  maxValueBytes: 16,
} as const;
let probed = false;

it('the manifest the kit reads is what a real instance reports', () => {
  expect(create().supports).toEqual(manifest);
});

describeBackend({
  name: 'maplet (approximate)',
  create: () => {
    if (probed) return create();
    probed = true;
    return { supports: manifest, close: () => Promise.resolve() } as unknown as StorageBackend;
  },
  approximate: { falsePositiveRate: 0.01 },
});
