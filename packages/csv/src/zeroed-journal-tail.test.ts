/**
 * Guarantee: a journal whose last record reads as zeros from inside its length digits (what
 * a crash with delayed allocation leaves, but also what zeroed acknowledged records look
 * like) opens with the records before it, cut there, and is never silent about it: a
 * `journal-tail-zeroed` warning naming the journal and the offset, heard by onWarning, and
 * a `truncated-tail` recovery action.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';

let directory: string;
let path: string;
let journal: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'stowage-csv-zeroed-'));
  path = join(directory, 'store.csv');
  journal = `${path}.journal`;
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

/** The journal bytes after `count` awaited sets, left as a crash leaves them (no CSV yet). */
async function journalAfterSets(count: number): Promise<Buffer> {
  const backend = new CsvBackend({ path, durability: 'none' });
  await backend.open();
  for (let i = 0; i < count; i++) await backend.set(`key-${i}`, `{"n":${i}}`);
  const bytes = readFileSync(journal);
  await backend.close();
  rmSync(path);
  return bytes;
}

describe('a journal whose last record reads as zeros', () => {
  it.each([1, 4, 7])(
    'from byte %i of its length digits: opens with the records before it, warns and reports',
    async (from) => {
      const bytes = await journalAfterSets(3);
      const lastStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
      bytes.fill(0, lastStart + from);
      writeFileSync(journal, bytes);
      const heard: unknown[] = [];
      const backend = new CsvBackend({ path, onWarning: (warning) => heard.push(warning) });
      await backend.open();
      expect(await backend.size()).toBe(2);
      expect(await backend.get('key-1')).toBe('{"n":1}');
      expect(backend.warnings).toMatchObject([{ kind: 'journal-tail-zeroed', file: journal, offset: lastStart }]);
      expect(heard).toEqual(backend.warnings);
      expect(backend.recovery).toMatchObject([{ action: 'truncated-tail', file: journal, offset: lastStart }]);
      await backend.close();
    },
  );
});
