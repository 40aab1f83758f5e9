/**
 * Guarantee: the CSV is read in pieces of at least the piece size (but the last) that end
 * only at row ends outside quoted cells: also when the very first cell (at the start of the
 * file, or right after a byte-order mark) is quoted and holds line breaks, when a quoted cell starts a row ended by a lone CR, and
 * after a quote inside an unquoted cell (which is text, not the start of a quoted cell); the
 * last row is read even without a line break after it.
 * A byte-order mark is skipped only when all three of its bytes are there, so a first cell
 * starting with a character whose UTF-8 begins with 0xEF (e.g. fullwidth letters) keeps
 * its bytes.
 */
import { describe, expect, it } from 'vitest';
import { readCsvBytes, rowAlignedPieces } from './csv-read.js';

const failing = {
  skipMalformed: false,
  fail: (row: { reason: string }): never => {
    throw new Error(row.reason);
  },
};

const piecesOf = (data: Buffer, start: number) =>
  [...rowAlignedPieces(data, start, 1)].map(([from, to]) => data.subarray(from, to).toString());

describe('reading the CSV in row-aligned pieces', () => {
  it('never cuts inside a quoted cell that opens the data', () => {
    const data = Buffer.from('"k\ney",value\r\n"a\r\nb",1\r\n');
    expect(piecesOf(data, 0)).toEqual(['"k\ney",value\r\n', '"a\r\nb",1\r\n']);
  });

  it('never cuts inside a quoted cell that opens the data after a byte-order mark', () => {
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"k\ney",value\r\na,1\r\n')]);
    expect(piecesOf(data, 3)).toEqual(['"k\ney",value\r\n', 'a,1\r\n']);
  });

  it('takes a quote inside an unquoted cell as text, so a quoted cell on a later row still keeps its line breaks', () => {
    const data = Buffer.from('key,value\r\na"b,1\r\nc,"x\r\ny"\r\n');
    expect(piecesOf(data, 0)).toEqual(['key,value\r\n', 'a"b,1\r\n', 'c,"x\r\ny"\r\n']);
    expect([...readCsvBytes(data, failing, 1).entries]).toEqual([
      ['a"b', '1'],
      ['c', 'x\r\ny'],
    ]);
  });

  it('makes each piece but the last at least the piece size, cut at the first row end that reaches it', () => {
    const data = Buffer.from('ab\ncd\nef\ngh\n');
    const sized = (size: number) => [...rowAlignedPieces(data, 0, size)].map(([from, to]) => [from, to]);
    expect(sized(3)).toEqual([
      [0, 3],
      [3, 6],
      [6, 9],
      [9, 12],
    ]);
    expect(sized(4)).toEqual([
      [0, 6],
      [6, 12],
    ]);
    expect(sized(6)).toEqual([
      [0, 6],
      [6, 12],
    ]);
    expect(sized(7)).toEqual([
      [0, 9],
      [9, 12],
    ]);
  });

  it('still cuts before a row whose first character differs from U+FEFF in any one of its three bytes', () => {
    // U+EEFF is EE BB BF, U+FE7F is EF B9 BF, U+FEFE is EF BB BE: each one byte away from EF BB BF.
    for (const first of ['\ueeff', '\ufe7f', '\ufefe']) {
      const data = Buffer.from(`a,1\n${first}b,2\n`);
      expect(piecesOf(data, 0)).toEqual(['a,1\n', `${first}b,2\n`]);
    }
  });

  it('ends with the last row even when no line break follows it', () => {
    const data = Buffer.from('key,value\r\na,1\r\nb,2');
    expect(piecesOf(data, 0)).toEqual(['key,value\r\n', 'a,1\r\n', 'b,2']);
    expect([...readCsvBytes(data, failing, 1).entries]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('opens a quoted cell at the start of a row ended by a lone CR', () => {
    const data = Buffer.from('key,value\r"a\nb",1\r"c\rd",2\r');
    expect(piecesOf(data, 0)).toEqual(['key,value\r', '"a\nb",1\r', '"c\rd",2\r']);
  });

  it('reads a file whose first cell is quoted and spans lines the same in pieces as whole', () => {
    const data = Buffer.from('key,value\r\n"a\nb",1\r\n"c\rd",2\r\n');
    const whole = readCsvBytes(data, failing);
    const inPieces = readCsvBytes(data, failing, 1);
    expect([...inPieces.entries.keys()]).toEqual(['a\nb', 'c\rd']);
    expect(inPieces.entries).toEqual(whole.entries);
  });
});

describe('the byte-order mark', () => {
  it('is skipped when all three bytes are there, and reported', () => {
    const read = readCsvBytes(Buffer.from('\ufeffkey,value\r\na,1\r\n'), failing);
    expect(read.hadByteOrderMark).toBe(true);
    expect(read.entries.get('a')).toBe('1');
  });

  it('is not taken from the first bytes of a fullwidth character', () => {
    // U+FF4B (fullwidth k) is EF BD 8B in UTF-8: it shares the mark's first byte only. The
    // header is then wrong, and the error points at its first byte, not three bytes on.
    const rows: unknown[] = [];
    const collect = {
      skipMalformed: false,
      fail: (row: unknown): never => {
        rows.push(row);
        throw new Error('bad');
      },
    };
    expect(() => readCsvBytes(Buffer.from('\uff4bey,value\r\na,1\r\n'), collect)).toThrow('bad');
    expect(rows).toMatchObject([{ line: 1, offset: 0 }]);
  });
});
