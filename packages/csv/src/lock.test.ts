import { join } from 'node:path';
import { startChild, tempDir } from '@stowage/conformance';
import { beforeEach, describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';

const dir = tempDir('stowage-csv-lock');
let path: string;

beforeEach(() => {
  path = join(dir(), 'store.csv');
});

describe('the lock', () => {
  it('refuses a second instance in this process with LOCKED until the first closes', async () => {
    const first = new CsvBackend({ path });
    await first.open();
    await first.set('a', '1');
    const second = new CsvBackend({ path });
    await expect(second.open()).rejects.toMatchObject({ code: 'LOCKED', file: `${path}.lock` });
    await first.close();
    await second.open();
    expect(await second.get('a')).toBe('1');
    await second.close();
  });

  it('refuses a store another process holds, and is taken over once that process died', async () => {
    const child = startChild(new URL('./fixtures/lock-holder.fixture.ts', import.meta.url), [path]);
    try {
      await child.line((line) => line === 'open');
      const backend = new CsvBackend({ path });
      await expect(backend.open()).rejects.toMatchObject({ code: 'LOCKED', origin: '@stowage/csv' });
      child.process.kill('SIGKILL');
      await child.exited;
      await backend.open();
      await backend.set('mine', 'now');
      await backend.close();
    } finally {
      child.process.kill('SIGKILL');
    }
  });
});
