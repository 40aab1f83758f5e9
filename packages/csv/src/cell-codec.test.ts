import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKeyCell, decodeValueCell, encodeTextCell, encodeValueCell } from './cell-codec.js';

const formulaStarts = ['=', '+', '-', '@', '\t', '\r'];

describe('cell codec', () => {
  it.each(['=HYPERLINK("http://evil.example","click")', '-1', '+1', '@SUM(A1:A2)', '\tindented', '\rreturn'])(
    'neutralises %j with a leading apostrophe and reads it back exactly',
    (text) => {
      const cell = encodeValueCell(text);
      expect(cell).toBe(`'${text}`);
      expect(decodeValueCell(cell)).toBe(text);
      expect(encodeTextCell(text)).toBe(`'${text}`);
      expect(decodeKeyCell(encodeTextCell(text))).toBe(text);
    },
  );

  it('escapes text that itself starts with an apostrophe', () => {
    expect(encodeValueCell("'quoted")).toBe("''quoted");
    expect(decodeValueCell("''quoted")).toBe("'quoted");
  });

  it('escapes text that looks like the bytes marker, so it stays text', () => {
    expect(encodeValueCell('base64:AQID')).toBe("'base64:AQID");
    expect(decodeValueCell("'base64:AQID")).toBe('base64:AQID');
  });

  it('writes bytes as base64 after the marker and reads them back as a Uint8Array', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    expect(encodeValueCell(bytes)).toBe('base64:AAEC+v8=');
    const decoded = decodeValueCell('base64:AAEC+v8=');
    expect(decoded).toBeInstanceOf(Uint8Array);
    expect(decoded).toEqual(bytes);
    expect(decodeValueCell('base64:')).toEqual(new Uint8Array(0));
  });

  it('reports a marker cell whose payload is not base64', () => {
    expect(decodeValueCell('base64:not base64!')).toBeInstanceOf(Error);
    expect(decodeValueCell('base64:AAA')).toBeInstanceOf(Error);
  });

  it('leaves plain text alone and takes cells a person typed as they show', () => {
    expect(encodeValueCell('{"a":1}')).toBe('{"a":1}');
    expect(encodeValueCell('')).toBe('');
    expect(decodeValueCell('hello')).toBe('hello');
    expect(decodeValueCell('-1')).toBe('-1');
    expect(decodeKeyCell('=typed')).toBe('=typed');
  });

  it('round-trips every string as key and value, and never starts a cell with a formula character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const cell = encodeTextCell(text);
        expect(formulaStarts.includes(cell.charAt(0))).toBe(false);
        expect(decodeKeyCell(cell)).toBe(text);
        expect(decodeValueCell(encodeValueCell(text))).toBe(text);
      }),
    );
  });

  it('round-trips every byte array', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        expect(decodeValueCell(encodeValueCell(bytes))).toEqual(bytes);
      }),
    );
  });
});
