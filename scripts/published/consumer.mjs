// Run by scripts/check-published.mjs from the packed tarballs: the root README's quick
// start in plain JavaScript (no `await using`, which Node 20 and 22 do not parse).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersistentMap } from '@stowage/core';
import { CsvBackend } from '@stowage/csv';
import { LogBackend } from '@stowage/log';
import { MemoryBackend } from '@stowage/memory';
import { SqliteBackend } from '@stowage/sqlite';

const dir = mkdtempSync(join(tmpdir(), 'stowage-consumer-'));
const engines = {
  memory: () => new MemoryBackend(),
  sqlite: () => new SqliteBackend({ file: join(dir, 'data', 'app.db') }),
  log: () => new LogBackend({ dir: join(dir, 'log') }),
  csv: () => new CsvBackend({ path: join(dir, 'csv', 'data.csv') }),
};
try {
  for (const [name, create] of Object.entries(engines)) {
    const store = await PersistentMap.open(create());
    try {
      await store.set('session:42', { user: 'ada' }, { ttl: 30 * 60_000 });
      const visits = store.namespace('visits:');
      await Promise.all(Array.from({ length: 100 }, () => visits.update('home', (n) => Number(n ?? 0) + 1)));
      const listed = [];
      for await (const [key] of store.entries({ prefix: 'session:' })) listed.push(key);
      const session = await store.get('session:42');
      if (session?.user !== 'ada' || (await visits.get('home')) !== 100 || listed.join() !== 'session:42') {
        throw new Error(`${name}: the quick start gave the wrong answer`);
      }
    } finally {
      await store.close();
    }
    console.log(`ok ${name}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
