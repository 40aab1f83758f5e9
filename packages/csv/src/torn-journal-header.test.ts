/**
 * Guarantee: a journal whose creation a crash cut short (empty, or a prefix of its header
 * line followed by nothing but zeros, no more bytes than the header) holds nothing that was
 * acknowledged: open rewrites its header, keeps the CSV's entries, reports `rewrote-header`
 * when there were bytes to rewrite, and writes go on. Anything else that is not a journal
 * (a wrong byte in the prefix, or more zeros than a header could leave) is refused and
 * left untouched.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';

let directory: string;
let path: string;
let journal: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'stowage-csv-torn-header-'));
  path = join(directory, 'store.csv');
  journal = `${path}.journal`;
  writeFileSync(path, 'key,value\r\nkept,1\r\n');
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const header = Buffer.from('STOWAGE-CSV-JOURNAL 2\n');

describe('a journal whose header a crash tore', () => {
  it.each([
    ['empty', Buffer.alloc(0), []],
    ['cut inside its header', header.subarray(0, 7), [{ action: 'rewrote-header', offset: 0 }]],
    ['cut one byte short', header.subarray(0, header.length - 1), [{ action: 'rewrote-header' }]],
    [
      'cut, then zeros up to the header length',
      Buffer.concat([header.subarray(0, 5), Buffer.alloc(header.length - 5)]),
      [{ action: 'rewrote-header' }],
    ],
    ['all zeros, as long as the header', Buffer.alloc(header.length), [{ action: 'rewrote-header' }]],
  ])('%s: reopens with the CSV intact, a new header and writes going on', async (_state, bytes, recovery) => {
    writeFileSync(journal, bytes);
    const backend = new CsvBackend({ path });
    await backend.open();
    expect(backend.recovery).toEqual(recovery.map((action) => expect.objectContaining({ ...action, file: journal })));
    expect(readFileSync(journal)).toEqual(header);
    expect(await backend.get('kept')).toBe('1');
    await backend.set('new', '2');
    await backend.close();
    const again = new CsvBackend({ path });
    await again.open();
    expect(await again.get('new')).toBe('2');
    expect(await again.get('kept')).toBe('1');
    await again.close();
  });

  it.each([
    ['a wrong byte inside the prefix', Buffer.from('STOWAGX'), 'CORRUPTION'],
    [
      'more zeros than a header could leave',
      Buffer.concat([header.subarray(0, 5), Buffer.alloc(header.length)]),
      'CORRUPTION',
    ],
    // The magic is whole, so it reads as a journal of another format version.
    [
      'a header line with a wrong last byte',
      Buffer.concat([header.subarray(0, header.length - 1), Buffer.from('x')]),
      'NOT_SUPPORTED',
    ],
  ])('%s: is refused (%s) and left as it is', async (_state, bytes, code) => {
    writeFileSync(journal, bytes);
    const backend = new CsvBackend({ path });
    await expect(backend.open()).rejects.toMatchObject({ code, file: journal });
    expect(existsSync(journal)).toBe(true);
    expect(readFileSync(journal)).toEqual(bytes);
  });
});
