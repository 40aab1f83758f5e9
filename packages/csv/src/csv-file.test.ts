import type { EncodedValue } from '@stowage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MalformedRow, type ParseOptions, parseCsv, serializeCsv } from './csv-file.js';

class Failed extends Error {
  constructor(readonly row: MalformedRow) {
    super(`line ${row.line}: ${row.reason}`);
  }
}

const failing: ParseOptions = {
  skipMalformed: false,
  fail: (row) => {
    throw new Failed(row);
  },
};
const skipping: ParseOptions = { ...failing, skipMalformed: true };

function failureOf(text: string): MalformedRow {
  try {
    parseCsv(text, failing);
  } catch (error) {
    if (error instanceof Failed) return error.row;
    throw error;
  }
  throw new Error('expected the parse to fail');
}

describe('serializeCsv', () => {
  it('writes a header, one CRLF-ended row per entry, and quotes commas, quotes and line breaks', () => {
    const text = serializeCsv(
      new Map<string, EncodedValue>([
        ['plain', '{"a":1}'],
        ['comma,key', 'a "quoted" word'],
        ['lines', 'one\ntwo\r\nthree'],
      ]),
    );
    expect(text).toBe(
      'key,value\r\nplain,"{""a"":1}"\r\n"comma,key","a ""quoted"" word"\r\nlines,"one\ntwo\r\nthree"\r\n',
    );
  });

  it('neutralises formulas in keys and values', () => {
    const text = serializeCsv(new Map([['=1+1', '@SUM(A1)']]));
    expect(text).toBe("key,value\r\n'=1+1,'@SUM(A1)\r\n");
  });
});

describe('parseCsv', () => {
  it('reads back exactly what serializeCsv wrote, for any keys and values', () => {
    const value = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: fc.constantFrom(',', '"', '\r', '\n', '\t', "'", '=', '-', '@', '+', ' ', 'a', '\u0000') }),
      fc.uint8Array(),
    );
    const key = fc.string({
      unit: fc.constantFrom(',', '"', '\r', '\n', "'", '=', '-', ' ', 'k', '\u0000', 'é', '😀'),
    });
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 20 }), (record) => {
        const entries = new Map<string, EncodedValue>(Object.entries(record));
        const parsed = parseCsv(serializeCsv(entries), failing);
        expect(parsed.malformed).toEqual([]);
        expect([...parsed.entries]).toEqual([...entries]);
      }),
    );
  });

  it('reads a file with LF line endings, blank lines and no final line break', () => {
    const parsed = parseCsv('key,value\na,1\n\nb,"x\ny"', failing);
    expect([...parsed.entries]).toEqual([
      ['a', '1'],
      ['b', 'x\ny'],
    ]);
  });

  it('reads an empty text as an empty store', () => {
    expect(parseCsv('', failing).entries.size).toBe(0);
  });

  it('takes the empty key and the empty value', () => {
    expect([...parseCsv('key,value\r\n,\r\n', failing).entries]).toEqual([['', '']]);
  });

  it('rejects a wrong header on line 1, even when skipping rows', () => {
    expect(failureOf('name,value\r\na,1\r\n')).toMatchObject({ line: 1, offset: 0 });
    expect(() => parseCsv('key\r\n', skipping)).toThrow(Failed);
  });

  it('gives the line of a row with too few or too many cells', () => {
    expect(failureOf('key,value\r\na,1\r\nb\r\n')).toMatchObject({ line: 3, offset: 16 });
    expect(failureOf('key,value\na,"1\n2"\nb,1,extra\n').line).toBe(4);
  });

  it('gives the line where an unterminated quoted cell starts', () => {
    const row = failureOf('key,value\r\na,1\r\nb,"never closed\r\nc,2\r\n');
    expect(row.line).toBe(3);
    expect(row.reason).toMatch(/never closed/);
  });

  it('reports text after a closing quote', () => {
    expect(failureOf('key,value\na,"1"x\n').line).toBe(2);
  });

  it('reports a second row for the same key, naming the first', () => {
    const row = failureOf('key,value\na,1\nb,2\na,3\n');
    expect(row.line).toBe(4);
    expect(row.reason).toMatch(/line 2/);
  });

  it('reports a bytes cell that is not base64', () => {
    expect(failureOf('key,value\na,base64:%%%\n').line).toBe(2);
  });

  it('counts the byte offset of a row in UTF-8', () => {
    expect(failureOf('key,value\né,1\nb\n')).toMatchObject({ line: 3, offset: 15 });
  });

  it('skips malformed rows and lists them when asked to', () => {
    const parsed = parseCsv('key,value\na,1\nb\nc,3,4\nd,4\n', skipping);
    expect([...parsed.entries]).toEqual([
      ['a', '1'],
      ['d', '4'],
    ]);
    expect(parsed.malformed.map((row) => row.line)).toEqual([3, 4]);
  });
});
