/**
 * Guarantee: a format-1 journal (`<crc32c as 8 lower-case hex digits> <JSON>\n` per batch)
 * is recognised by its first bytes, and read line by line with exactly that format's rules:
 * a line counts only with a space after the checksum, the checksum in lower-case hex over
 * the bytes after the space, and a payload that is strict UTF-8 JSON of a batch. The first
 * line that fails ends the intact part; it is damage only when an intact line follows.
 */
import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { decodeLegacyJournal, looksLikeLegacyJournal } from './legacy-journal.js';

const checksum = (payload: Uint8Array) => crc32c(payload).toString(16).padStart(8, '0');
/** One format-1 line over `payload`, with `separator` between checksum and payload. */
function line(payload: string | Uint8Array, separator = ' '): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  return Buffer.concat([Buffer.from(`${checksum(bytes)}${separator}`), bytes, Buffer.from('\n')]);
}
const journal = (...lines: Buffer[]) => new Uint8Array(Buffer.concat(lines));

const setA = line('[["s","a","1"]]');
const setB = line('[["s","b","2"]]');

describe('looksLikeLegacyJournal', () => {
  it('recognises 8 lower-case hex digits, a space and the opening bracket of a batch', () => {
    expect(looksLikeLegacyJournal(journal(setA))).toBe(true);
    expect(looksLikeLegacyJournal(Buffer.from('0123abcd ['))).toBe(true);
  });

  it.each([
    ['the current header', 'STOWAGE-CSV-JOURNAL 2\n'],
    ['upper-case hex', '0123ABCD [[]]\n'],
    ['seven digits', '0123abc [[]]\n'],
    ['no space', '0123abcd[[]]\n'],
    ['something other than a batch after the space', '0123abcd {}\n'],
    ['a file shorter than the prefix', '0123abcd '],
    ['an empty file', ''],
  ])('does not take %s for one', (_what, content) => {
    expect(looksLikeLegacyJournal(Buffer.from(content))).toBe(false);
  });
});

describe('decodeLegacyJournal', () => {
  it('reads every intact line as a batch, in order, up to the end', () => {
    const data = journal(setA, line('[["d","a"],["s","c","3",1700000000000]]'), setB);
    expect(decodeLegacyJournal(data)).toEqual({
      batches: [
        [{ type: 'set', key: 'a', value: '1' }],
        [
          { type: 'delete', key: 'a' },
          { type: 'set', key: 'c', value: '3', expiresAt: 1_700_000_000_000 },
        ],
        [{ type: 'set', key: 'b', value: '2' }],
      ],
      validLength: data.length,
      damageAt: undefined,
    });
  });

  it('reads the shortest line there is, an empty batch (11 bytes)', () => {
    const empty = line('[]');
    expect(empty.length - 1).toBe(11);
    const data = journal(empty, setA);
    expect(decodeLegacyJournal(data)).toMatchObject({ batches: [[], [{ key: 'a' }]], validLength: data.length });
  });

  it('reads nothing from an empty journal', () => {
    expect(decodeLegacyJournal(new Uint8Array(0))).toEqual({ batches: [], validLength: 0, damageAt: undefined });
  });

  it.each([
    ['a separator other than a space', () => line('[["s","b","2"]]', '\t')],
    ['a checksum that does not cover the payload', () => Buffer.from(`00000000 [["s","b","2"]]\n`)],
    [
      'a payload that is not UTF-8',
      () => line(Buffer.from([...Buffer.from('[["s","b","'), 0xff, ...Buffer.from('"]]')])),
    ],
    ['a payload that is not JSON', () => line('[["s","b"')],
    ['JSON that is not a batch', () => line('{"s":"b"}')],
    ['no line break', () => setB.subarray(0, -1)],
    ['a whole line and a stray byte but no line break', () => Buffer.concat([setB.subarray(0, -1), Buffer.from('x')])],
    ['a line cut inside its checksum', () => setB.subarray(0, 5)],
  ])('ends the intact part at a last line with %s, which is a torn tail, not damage', (_what, make) => {
    const torn = make();
    const data = journal(setA, torn);
    expect(decodeLegacyJournal(data)).toEqual({
      batches: [[{ type: 'set', key: 'a', value: '1' }]],
      validLength: setA.length,
      damageAt: undefined,
    });
  });

  it('ends the intact part at a line whose right checksum is written in upper-case hex', () => {
    // The format wrote lower case only; parseInt alone would accept either.
    const payload = '[["s","b","2"]]';
    const digits = checksum(Buffer.from(payload));
    expect(digits).toMatch(/[a-f]/);
    const data = journal(setA, Buffer.from(`${digits.toUpperCase()} ${payload}\n`));
    expect(decodeLegacyJournal(data).validLength).toBe(setA.length);
  });

  it('reports a damaged line followed by an intact one as damage at the damaged line', () => {
    const data = journal(setA, Buffer.from('garbage\n'), Buffer.from('more garbage\n'), setB);
    expect(decodeLegacyJournal(data)).toEqual({
      batches: [[{ type: 'set', key: 'a', value: '1' }]],
      validLength: setA.length,
      damageAt: setA.length,
    });
  });

  it('reports damage on the very first line, even an empty one, when an intact line follows', () => {
    expect(decodeLegacyJournal(journal(Buffer.from('\n'), setA))).toEqual({
      batches: [],
      validLength: 0,
      damageAt: 0,
    });
    expect(decodeLegacyJournal(journal(Buffer.from('x\n'), setA)).damageAt).toBe(0);
  });

  it('does not count an intact-looking part without its line break after the damage as an intact line', () => {
    const data = journal(setA, Buffer.from('garbage\n'), setB.subarray(0, -1));
    expect(decodeLegacyJournal(data)).toMatchObject({ validLength: setA.length, damageAt: undefined });
  });

  it('does not look before the damaged line for intact lines', () => {
    // A torn last line after intact ones: the intact ones come before it, so no damage.
    const data = journal(setA, setB, Buffer.from('0000'));
    expect(decodeLegacyJournal(data)).toMatchObject({ validLength: setA.length + setB.length, damageAt: undefined });
  });
});

/**
 * Journal bytes that count how often their length is read (every loop of the decoder reads it
 * each turn) and give up past a limit, so a decoder that stops making progress fails the test
 * instead of hanging it.
 */
class CountingBytes extends Uint8Array {
  static reads = 0;
  static readonly limit = 10_000;
  override get length(): number {
    if (++CountingBytes.reads > CountingBytes.limit) throw new Error('the decoder is not making progress');
    return super.length;
  }
}

describe('decodeLegacyJournal makes one forward pass', () => {
  it.each([
    ['intact lines', () => journal(setA, setB)],
    ['a torn last line', () => journal(setA, setB.subarray(0, -1))],
    ['a whole line and a stray byte at the end', () => journal(setA, setB.subarray(0, -1), Buffer.from('x'))],
    ['damage followed by an intact line', () => journal(setA, Buffer.from('garbage\n'), setB)],
    ['damage followed only by damage', () => journal(setA, Buffer.from('garbage\n'), Buffer.from('more\n'))],
  ])('over %s: every part is looked at a bounded number of times', (_what, make) => {
    const plain = make();
    const expected = decodeLegacyJournal(plain);
    CountingBytes.reads = 0;
    const counting = new CountingBytes(plain);
    expect(decodeLegacyJournal(counting)).toEqual(expected);
    // A handful of reads per line; a re-scan from the start or a loop standing still reads thousands.
    expect(CountingBytes.reads).toBeLessThan(100);
  });
});
