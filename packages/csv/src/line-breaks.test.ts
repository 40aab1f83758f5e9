/** Issue 8 item 7: a hand-edited CSV may end each row differently. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import type { EncodedValue } from '@stowage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';
import { parseCsv, serializeCsv } from './csv-file.js';

const dir = tempDir('stowage-csv-eol');

const failing = {
  skipMalformed: false,
  fail: (row: { line: number; offset: number; reason: string }): never => {
    throw Object.assign(new Error(`line ${row.line}: ${row.reason}`), { row });
  },
};

const entriesOf = (text: string) => [...parseCsv(text, failing).entries];

describe('row ends', () => {
  it('accepts CRLF, LF and CR rows mixed in one file, without a stray \\r or \\n in any cell', () => {
    expect(entriesOf('key,value\r\na,1\r\nb,2\nc,3\n')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
    expect(entriesOf('key,value\na,1\nb,2\r\nc,3\r\n')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
    expect(entriesOf('key,value\ra,1\r\nb,2\nc,3')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
  });

  it('keeps line breaks inside quoted cells exactly, whatever the rows end in', () => {
    expect(entriesOf('key,value\na,"x\r\ny"\r\n"b\rc","1\n2"\nd,"""q"""\r\n')).toEqual([
      ['a', 'x\r\ny'],
      ['b\rc', '1\n2'],
      ['d', '"q"'],
    ]);
  });

  it('reports lines and byte offsets of the original file in a mixed file', () => {
    try {
      entriesOf('key,value\r\na,1\r\nb,2\nc,"open\r\nd,4\r\n');
      expect.unreachable();
    } catch (error) {
      expect((error as { row: unknown }).row).toEqual({ line: 4, offset: 20, reason: 'a quoted cell is never closed' });
    }
  });

  it('reports the byte offset of the original file in a file of LF rows only', () => {
    try {
      entriesOf('key,value\na,1\nb,"open\nd,4\n');
      expect.unreachable();
    } catch (error) {
      expect((error as { row: unknown }).row).toEqual({ line: 3, offset: 14, reason: 'a quoted cell is never closed' });
    }
  });

  it('reads any written store back after its rows were given random line endings', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', '=') });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(cell, cell), { selector: ([key]) => key, maxLength: 8 }),
        fc.array(fc.constantFrom('\r\n', '\n', '\r'), { minLength: 9, maxLength: 9 }),
        (rows, ends) => {
          const entries = new Map<string, EncodedValue>(rows);
          const text = serializeCsv(entries);
          // Re-end each row (the CRLF that follows a complete row) with a random line break.
          let row = 0;
          const lines: string[] = [];
          let current = '';
          let quotes = 0;
          for (let i = 0; i < text.length; i++) {
            const char = text[i]!;
            if (char === '"') quotes++;
            if (char === '\r' && text[i + 1] === '\n' && quotes % 2 === 0) {
              lines.push(current + ends[row++ % ends.length]!);
              current = '';
              i++;
              continue;
            }
            current += char;
          }
          expect(new Map(parseCsv(lines.join(''), failing).entries)).toEqual(entries);
        },
      ),
    );
  });

  it('opens a CRLF store after `echo "c,3" >> data.csv` with exact values', async () => {
    const path = join(dir(), 'data.csv');
    const backend = new CsvBackend({ path });
    await backend.open();
    await backend.set('a', '1');
    await backend.close();
    writeFileSync(path, `${readFileSync(path, 'utf8')}c,3\n`);
    const reopened = new CsvBackend({ path });
    await reopened.open();
    expect(await reopened.get('a')).toBe('1');
    expect(await reopened.get('c')).toBe('3');
    await reopened.set('d', '4');
    await reopened.close();
    expect(readFileSync(path, 'utf8')).toBe('key,value\r\na,1\r\nc,3\r\nd,4\r\n');
  });
});
