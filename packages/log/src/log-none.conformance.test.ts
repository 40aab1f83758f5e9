// The whole kit a second time with durability none: there a lone write skips the group
// commit queue (commit-pipeline.ts), so every guarantee is checked on that path too. A
// process kill keeps what was acknowledged: a `none` write is in the kernel before it resolves.
import { fileURLToPath } from 'node:url';
import { describeBackend, tempDir } from '@stowage/conformance';
import { LogBackend } from './log-backend.js';

const directory = tempDir('stowage-log-none-kit');

describeBackend({
  name: 'log (durability none)',
  create: () => new LogBackend({ dir: directory(), durability: 'none' }),
  reopen: (previous) => new LogBackend({ dir: (previous as LogBackend).dir, durability: 'none' }),
  crash: { module: fileURLToPath(new URL('./fixtures/crash-backend-none.fixture.ts', import.meta.url)) },
  // Online merge over and over on 8 KiB files, while lone writes append and rotate.
  maintenance: {
    run: async (backend) => {
      await (backend as LogBackend).merge();
    },
    create: () => new LogBackend({ dir: directory(), durability: 'none', maxFileSize: 8 * 1024 }),
  },
});
