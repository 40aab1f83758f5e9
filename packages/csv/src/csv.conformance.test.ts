import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackend, tempDir } from '@stowage/conformance';
import { CsvBackend } from './csv-backend.js';

const directory = tempDir('stowage-csv-kit');

describeBackend({
  name: 'csv',
  create: () => new CsvBackend({ path: join(directory(), 'store.csv') }),
  reopen: (previous) => new CsvBackend({ path: (previous as CsvBackend).path }),
  crash: { module: fileURLToPath(new URL('./fixtures/crash-backend.fixture.ts', import.meta.url)) },
});
