import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackend } from '../describe-backend.js';
import { tempDir } from '../temp-dir.js';
import { JsonFileBackend } from './json-file-backend.js';

const directory = tempDir('stowage-json-example');

describeBackend({
  name: 'json-file example',
  create: () => new JsonFileBackend({ file: join(directory(), 'store.json') }),
  reopen: (previous) => new JsonFileBackend({ file: (previous as JsonFileBackend).file }),
  crash: { module: fileURLToPath(new URL('./json-file-crash.fixture.ts', import.meta.url)) },
});
