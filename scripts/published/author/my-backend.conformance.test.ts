// A third-party engine author's test file, as packages/conformance/README.md shows it.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackend, tempDir } from '@stowage/conformance';
import { JsonFileBackend } from './json-file-backend.js';

const dir = tempDir('my-backend');

describeBackend({
  name: 'my-backend',
  create: () => new JsonFileBackend({ file: join(dir(), 'store.json') }),
  reopen: (previous) => new JsonFileBackend({ file: (previous as JsonFileBackend).file }),
  crash: { module: fileURLToPath(new URL('./crash-backend.ts', import.meta.url)) },
  // Beyond the README: a tenth of the 100,000-key case, to keep CI short.
  options: { scale: 0.1 },
});
