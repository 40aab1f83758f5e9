import { fileURLToPath } from 'node:url';
import { describeBackend, tempDir } from '@stowage/conformance';
import { LogBackend } from './log-backend.js';

const directory = tempDir('stowage-log-kit');

describeBackend({
  name: 'log',
  create: () => new LogBackend({ dir: directory() }),
  reopen: (previous) => new LogBackend({ dir: (previous as LogBackend).dir }),
  crash: { module: fileURLToPath(new URL('./fixtures/crash-backend.fixture.ts', import.meta.url)) },
  // Online merge over and over on 8 KiB files, so every merge has many files to rewrite.
  maintenance: {
    run: async (backend) => {
      await (backend as LogBackend).merge();
    },
    create: () => new LogBackend({ dir: directory(), maxFileSize: 8 * 1024 }),
  },
});
