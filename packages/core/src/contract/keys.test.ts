import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../map/persistent-map.js';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
import { assertValidKey, compareKeys, utf8Length } from './keys.js';

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('utf8Length', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['\u007f', 1],
    ['\u0080', 2],
    ['é', 2],
    ['\u07ff', 2],
    ['\u0800', 3],
    ['€', 3],
    ['\ud7ff', 3],
    ['\ue000', 3],
    ['\uffff', 3],
    ['\u{10000}', 4],
    ['😀', 4],
    ['\u{10ffff}', 4],
    ['\ud800', 3], // lone high surrogate: Buffer writes U+FFFD
    ['\udbff', 3],
    ['\udc00', 3], // lone low surrogate
    ['\udfff', 3],
    ['\ud800a', 4],
    ['a\udbff', 4],
    ['\udc00\ud800', 6], // reversed pair: two lone surrogates
    ['aé€😀', 10],
  ])('counts %j as %i bytes, as Buffer does', (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes);
    expect(Buffer.byteLength(text, 'utf8')).toBe(bytes);
  });

  it('equals Buffer.byteLength for any string, well-formed or not', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('maxKeyBytes at its boundary, in 1-, 2-, 3- and 4-byte UTF-8', () => {
  // 12 bytes is a multiple of 1, 2, 3 and 4: a key of exactly 12 bytes fits, one more byte does not.
  const max = 12;
  const cases = [
    ['1-byte', 'a'],
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte', '😀'],
  ] as const;

  it.each(cases)('accepts a key of exactly maxKeyBytes in %s characters and refuses one byte more', (_, char) => {
    const fits = char.repeat(max / utf8(char).length);
    expect(utf8(fits).length).toBe(max);
    expect(() => assertValidKey(fits, max)).not.toThrow();
    expect(() => assertValidKey(`${fits}a`, max)).toThrow(/at most 12 UTF-8 bytes, got 13/);
    // The same characters one short of the limit, plus one more of them: over by its width - 1.
    const over = char.repeat(max / utf8(char).length + 1);
    expect(() => assertValidKey(over, max)).toThrow(`got ${max + utf8(char).length}`);
  });

  it.each(cases)(
    'a backend and a map refuse a key one byte over in %s characters, and store one that fits',
    async (_, char) => {
      const fits = char.repeat(max / utf8(char).length);
      const backend = new MapBackend({ supports: { maxKeyBytes: max } });
      await backend.open();
      expect(await codeOf(backend.set(`${fits}a`, 'v'))).toBe('INVALID_KEY');
      await backend.set(fits, 'v');
      expect(await backend.get(fits)).toBe('v');
      await backend.close();

      const map = await PersistentMap.open<string, string>(new MapBackend({ supports: { maxKeyBytes: max } }), {
        sweepInterval: 0,
      });
      expect(await codeOf(map.set(`${fits}a`, 'v'))).toBe('INVALID_KEY');
      expect(await codeOf(map.set(`a${fits}`, 'v'))).toBe('INVALID_KEY');
      await map.set(fits, 'v');
      expect(await map.get(fits)).toBe('v');
      await map.close();
    },
  );

  it('counts a 4-byte character as 4 bytes, not 2 (its UTF-16 length)', () => {
    // 3 emoji: 6 UTF-16 units, 12 UTF-8 bytes; with maxKeyBytes 11 it must be refused.
    expect(() => assertValidKey('😀😀😀', 11)).toThrow(/got 12/);
    expect(() => assertValidKey('😀😀😀', 12)).not.toThrow();
  });

  it('holds at the default limit of 64 KiB', () => {
    expect(new MapBackend().supports.maxKeyBytes).toBe(64 * 1024);
    expect(() => assertValidKey('😀'.repeat(16 * 1024), 64 * 1024)).not.toThrow();
    expect(() => assertValidKey(`${'😀'.repeat(16 * 1024)}a`, 64 * 1024)).toThrow(/got 65537/);
  });
});

describe('compareKeys: code-point order, the order of UTF-8 bytes', () => {
  const ordered = [
    '',
    '\u0000',
    'a',
    '\u007f',
    '\u0080',
    '\ud7ff',
    '\ue000', // above the surrogates in code units and code points
    '\uffff',
    '\u{10000}', // the first code point that needs a pair: after U+FFFF, although its first unit is 0xD800
    '\u{10001}',
    '\u{1f600}',
    '\u{10fffe}',
    '\u{10ffff}', // the last code point
    '\u{10ffff}a',
  ];

  it('orders the edges of the surrogate range as their UTF-8 bytes do', () => {
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const expected = Math.sign(i - j);
        expect(Math.sign(compareKeys(ordered[i]!, ordered[j]!)), `${i} vs ${j}`).toBe(expected);
        expect(Math.sign(Buffer.compare(utf8(ordered[i]!), utf8(ordered[j]!)))).toBe(expected);
      }
    }
  });

  it('U+10FFFF > U+10FFFE > U+FFFF, whichever way round they are compared', () => {
    expect(compareKeys('\u{10ffff}', '\u{10fffe}')).toBeGreaterThan(0);
    expect(compareKeys('\u{10fffe}', '\u{10ffff}')).toBeLessThan(0);
    expect(compareKeys('\u{10fffe}', '\uffff')).toBeGreaterThan(0);
    expect(compareKeys('\uffff', '\u{10fffe}')).toBeLessThan(0);
    expect(compareKeys('\u{10ffff}', '\u{10ffff}')).toBe(0);
  });

  it('agrees with UTF-8 byte order on any two well-formed strings', () => {
    const key = fc.string({ unit: 'grapheme', maxLength: 8 });
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(Buffer.compare(utf8(a), utf8(b))));
      }),
      { numRuns: 3000 },
    );
  });

  it('an ordered backend iterates keys around the surrogate range in code-point order', async () => {
    const backend = new MapBackend({ supports: { orderedIteration: true } });
    await backend.open();
    for (const key of [...ordered].reverse()) if (key !== '') await backend.set(key, 'v');
    const keys: string[] = [];
    for await (const key of backend.keys()) keys.push(key);
    expect(keys).toEqual(ordered.slice(1));
    const above: string[] = [];
    for await (const key of backend.keys({ gt: '\uffff', lt: '\u{10ffff}' })) above.push(key);
    expect(above).toEqual(['\u{10000}', '\u{10001}', '\u{1f600}', '\u{10fffe}']);
    await backend.close();
  });
});
