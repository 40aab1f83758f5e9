/** A key whose first character is U+FEFF keeps it wherever a large file is cut into pieces for parsing. */
import { describe, expect, it } from 'vitest';
import { readCsvBytes } from './csv-read.js';

const options = {
  skipMalformed: false,
  fail: (row: unknown): never => {
    throw new Error(`malformed row ${JSON.stringify(row)}`);
  },
};

describe('a key starting with U+FEFF (unquoted, as a person may type it)', () => {
  it.each([1, 5, 12, 1 << 20])('is read the same in pieces of %i bytes as in one piece', (pieceBytes) => {
    const data = Buffer.from('key,value\r\n\ufeffa,"""1"""\r\nb,"""2"""\r\n\ufeffc,"""3"""\r\n');
    const read = readCsvBytes(data, options, pieceBytes);
    expect([...read.entries.keys()]).toEqual(['\ufeffa', 'b', '\ufeffc']);
    expect(read.hadByteOrderMark).toBe(false);
  });

  it('after a real byte order mark, which alone is dropped', () => {
    const data = Buffer.from('\ufeffkey,value\r\n\ufeffa,"""1"""\r\n');
    const read = readCsvBytes(data, options, 1);
    expect([...read.entries.keys()]).toEqual(['\ufeffa']);
    expect(read.hadByteOrderMark).toBe(true);
  });
});
