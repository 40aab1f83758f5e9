import { fileURLToPath } from 'node:url';
import { describeBackend, tempDir } from '@stowage/conformance';
import { tinyThresholds } from './fixtures/crash-backend.fixture.js';
import { SegmentBackend } from './segment-backend.js';

const directory = tempDir('stowage-segment-kit');

describeBackend({
  name: 'segment',
  // A small memtable, so the heavy cases (100,000 keys) go through flushes and compactions.
  create: () => new SegmentBackend({ dir: directory(), memtableBytes: 256 * 1024 }),
  reopen: (previous) => new SegmentBackend({ dir: (previous as SegmentBackend).dir, memtableBytes: 256 * 1024 }),
  crash: { module: fileURLToPath(new URL('./fixtures/crash-backend.fixture.ts', import.meta.url)) },
  // Compaction over and over with tiny thresholds, so every run has files to merge.
  maintenance: {
    run: (backend) => (backend as SegmentBackend).compact(),
    create: () => new SegmentBackend({ dir: directory(), ...tinyThresholds }),
  },
});
