/**
 * Guarantee: a journal of the old format (no header, one `<crc32c> <JSON>` line per batch)
 * is read with that format's rules. A torn or garbled last part (no line break, a bad
 * checksum, a checksum over JSON that is not a batch) is cut and the batches before it are
 * kept; a damaged line with an intact line anywhere after it is CORRUPTION at the damaged
 * line's offset, and neither file is changed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '@stowage/fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';

let directory: string;
let path: string;
let journal: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'stowage-csv-old-journal-'));
  path = join(directory, 'store.csv');
  journal = `${path}.journal`;
  writeFileSync(path, 'key,value\r\nold,0\r\n');
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

/** One format-1 line: the payload's crc32c as 8 hex digits, a space, the payload. */
const line = (json: string) => `${crc32c(Buffer.from(json)).toString(16).padStart(8, '0')} ${json}\n`;
const badChecksum = (json: string) => `${'0'.repeat(8)} ${json}\n`;

const first = line('[["s","a","1"]]');
const second = line('[["s","b","2"]]');

async function entriesAfterOpen(): Promise<Record<string, string | undefined>> {
  const backend = new CsvBackend({ path });
  await backend.open();
  const entries = { old: await backend.get('old'), a: await backend.get('a'), b: await backend.get('b') };
  expect(backend.recovery).toMatchObject([{ action: 'converted-journal' }]);
  await backend.close();
  return entries as Record<string, string | undefined>;
}

describe('a journal of the old format', () => {
  it.each([
    ['a last line without its line break', first + line('[["s","b","2"]]').slice(0, -1)],
    ['a last line cut inside its checksum', `${first}${second.slice(0, 5)}`],
    ['a last line with a bad checksum', first + badChecksum('[["s","b","2"]]')],
    ['a last line whose checksum covers JSON that is not a batch', first + line('{"not":"a batch"}')],
    ['a last line whose checksum covers text that is not JSON', first + line('[["s","b"')],
    ['a garbled line followed only by other garbled lines', first + badChecksum('[]') + badChecksum('[]')],
  ])('%s: cuts it and keeps the batches before it', async (_tail, content) => {
    writeFileSync(journal, content);
    expect(await entriesAfterOpen()).toEqual({ old: '0', a: '1', b: undefined });
    // Folded into the CSV: the cut batch is gone for good, the kept ones stay.
    expect(readFileSync(path, 'utf8').split('\r\n').sort()).toEqual(['', 'a,1', 'key,value', 'old,0']);
  });

  it.each([
    ['right after it', () => first + badChecksum('[["s","x","9"]]') + second],
    ['after more damaged lines', () => `${first}${badChecksum('[]')}garbage\n${second}`],
  ])(
    'a damaged line with an intact line %s is CORRUPTION at the damaged line, and nothing changes',
    async (_where, make) => {
      const content = make();
      writeFileSync(journal, content);
      const backend = new CsvBackend({ path });
      await expect(backend.open()).rejects.toMatchObject({ code: 'CORRUPTION', file: journal, offset: first.length });
      expect(readFileSync(journal, 'utf8')).toBe(content);
      expect(readFileSync(path, 'utf8')).toBe('key,value\r\nold,0\r\n');
    },
  );
});
