import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackend, tempDir } from '@stowage/conformance';
import { SqliteBackend } from './sqlite-backend.js';

const directory = tempDir('stowage-sqlite-kit');

describeBackend({
  name: 'sqlite',
  create: () => new SqliteBackend({ file: join(directory(), 'store.db') }),
  reopen: (previous) => new SqliteBackend({ file: (previous as SqliteBackend).file }),
  crash: { module: fileURLToPath(new URL('./fixtures/crash-backend.fixture.ts', import.meta.url)) },
});
