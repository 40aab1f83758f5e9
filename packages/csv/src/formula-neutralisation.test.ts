/** Issue 8 item 8: every form of formula trigger is neutralised, and every cell reads back exactly. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKeyCell, decodeValueCell, encodeTextCell, encodeValueCell } from './cell-codec.js';
import { parseCsv, serializeCsv } from './csv-file.js';

/** Leading characters a spreadsheet may skip or not show (OWASP's whitespace + invisibles). */
const invisibles = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\f',
  '\u0000',
  '\u00a0',
  '\u00ad',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u2028',
  '\u202a',
  '\u202e',
  '\u2060',
  '\u2066',
  '\u3000',
  '\ufeff',
  '\u180e',
  '\u034f',
  // Both ends of the variation selector ranges (Mongolian and standard).
  '\u180b',
  '\u180f',
  '\ufe00',
  '\ufe0f',
];
const triggerChars = [
  '=',
  '+',
  '-',
  '@',
  '\uff1d',
  '\uff0b',
  '\uff0d',
  '\uff20',
  '\ufe66',
  '\ufe62',
  '\ufe63',
  '\ufe6b',
  '\u2212',
];

/** What the test counts as a dangerous start, written independently of the codec. */
function dangerous(cell: string): boolean {
  for (const character of cell) {
    const code = character.codePointAt(0)!;
    const skippable =
      /^[\s\p{Cc}\p{Cf}\p{Z}]$/u.test(character) ||
      [0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x3164, 0xffa0].includes(code) ||
      (code >= 0x180b && code <= 0x180f) ||
      (code >= 0xfe00 && code <= 0xfe0f);
    if (skippable) continue;
    return ['=', '+', '-', '@', '\u2212'].includes(character.normalize('NFKC'));
  }
  return false;
}

const startsWithControlTrigger = (cell: string) => ['\t', '\r', '\n', '\u0000'].includes(cell[0] ?? '');

describe('formula neutralisation', () => {
  // The 18 forms of the attack report and more: a trigger behind each invisible, and each width.
  const forms = [
    ...triggerChars.map((trigger) => `${trigger}HYPERLINK("http://evil.example")`),
    ...invisibles.flatMap((invisible) => ['=', '+', '-', '@', '\uff1d'].map((trigger) => `${invisible}${trigger}1+1`)),
    " \u200b\ufeff\t=cmd|' /C calc'!A0",
    '\t',
    '\r',
    '\nplain',
    '\u0000x',
  ];

  it.each(forms.map((form) => [JSON.stringify(form), form]))(
    'writes %s with a leading apostrophe and reads it back',
    (_, text) => {
      for (const [encode, decode] of [
        [encodeValueCell, decodeValueCell],
        [encodeTextCell, decodeKeyCell],
      ] as const) {
        const cell = encode(text) as string;
        expect(cell).toBe(`'${text}`);
        expect(dangerous(cell) || startsWithControlTrigger(cell)).toBe(false);
        expect(decode(cell)).toBe(text);
      }
    },
  );

  it('leaves harmless text alone', () => {
    for (const text of ['hello', ' hello', '\u200bhello', '{"a":1}', '"text"', '1-2', 'a=b', '', ' ', '\u3000x']) {
      expect(encodeValueCell(text)).toBe(text);
    }
  });

  it('for any string: decode(encode(s)) is s, and no cell starts with a trigger after invisibles', () => {
    const unit = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...invisibles, ...triggerChars, "'", 'b', 'base64:', ',', '"') },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 2 }) },
    );
    const text = fc.oneof(
      fc.array(unit, { maxLength: 6 }).map((units) => units.join('')),
      fc.string({ unit: 'binary' }),
    );
    fc.assert(
      fc.property(text, (s) => {
        const value = encodeValueCell(s) as string;
        const key = encodeTextCell(s);
        expect(decodeValueCell(value)).toBe(s);
        expect(decodeKeyCell(key)).toBe(s);
        for (const cell of [value, key]) {
          expect(dangerous(cell)).toBe(false);
          expect(startsWithControlTrigger(cell)).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips through the whole file for any keys and values', () => {
    const unit = fc.constantFrom(...invisibles, ...triggerChars, "'", 'k', ',', '"');
    const text = fc.array(unit, { maxLength: 5 }).map((units) => units.join(''));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(text, text), { selector: ([key]) => key, maxLength: 6 }), (rows) => {
        const entries = new Map(rows);
        const parsed = parseCsv(serializeCsv(entries), {
          skipMalformed: false,
          fail: (row) => {
            throw new Error(row.reason);
          },
        });
        expect(parsed.entries).toEqual(entries);
      }),
      { numRuns: 300 },
    );
  });
});
