import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from './csv-read.js';

// A CSV that is not UTF-8 fails the open with CORRUPTION naming the first bad byte; this is
// the check that finds it, at the edges of every sequence length.

const at = (prefix: string, bad: number[]) => firstInvalidUtf8(new Uint8Array([...Buffer.from(prefix), ...bad]));

describe('firstInvalidUtf8', () => {
  it.each([
    ['U+007F', '\u007f'],
    ['U+0080', '\u0080'],
    ['U+07FF', '\u07ff'],
    ['U+0800', '\u0800'],
    ['U+D7FF', '\ud7ff'],
    ['U+E000', '\ue000'],
    ['U+FFFF', '\uffff'],
    ['U+10000', '\u{10000}'],
    ['U+10FFFF', '\u{10ffff}'],
  ])('accepts %s, the edge of its sequence length or of the surrogates', (_name, character) => {
    const bytes = Buffer.from(`ab${character}cd`);
    expect(firstInvalidUtf8(bytes)).toBe(bytes.length);
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong 2-byte NUL (C0 80)', [0xc0, 0x80]],
    ['an overlong 3-byte form (E0 80 80)', [0xe0, 0x80, 0x80]],
    ['an overlong 4-byte form (F0 80 80 80)', [0xf0, 0x80, 0x80, 0x80]],
    ['a surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a code past U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ['a lead byte no sequence starts with (F5)', [0xf5, 0x80, 0x80, 0x80]],
    ['a sequence cut short by the end', [0xe2, 0x82]],
    ['a sequence cut short by an ASCII byte', [0xe2, 0x41, 0x41]],
  ])('points at the start of %s', (_name, bad) => {
    expect(at('key,', bad)).toBe(4);
  });
});
