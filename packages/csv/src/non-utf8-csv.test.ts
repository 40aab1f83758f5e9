/**
 * Guarantee: a CSV whose bytes are not UTF-8 is refused at open with CORRUPTION naming the
 * file and the exact offset of the first malformed sequence, whatever the flaw (a stray
 * continuation byte, a cut-short or interrupted sequence, an overlong encoding, an encoded
 * surrogate, a code point past U+10FFFF), also after valid 2-, 3- and 4-byte characters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';

let directory: string;
let path: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'stowage-csv-utf8-'));
  path = join(directory, 'store.csv');
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const utf8 = (text: string) => Buffer.from(text, 'utf8');

async function openError(bytes: Buffer): Promise<Record<string, unknown> | undefined> {
  writeFileSync(path, bytes);
  const backend = new CsvBackend({ path });
  try {
    await backend.open();
  } catch (error) {
    return error as Record<string, unknown>;
  }
  await backend.close();
  return undefined;
}

// The smallest and largest valid code points of every UTF-8 length, and those next to the
// surrogates, come before the flaw: none of them may be taken for it.
const extremes = '\u0080\u07ff\u0800\ud7ff\ue000\uffff\u{10000}\u{10ffff}';
const before = utf8(`key,value\r\n${extremes},1\r\nx,`);

describe('a CSV that is not UTF-8', () => {
  it.each([
    ['a stray continuation byte', [0x80]],
    ['a lead byte that never starts a sequence', [0xc0, 0x80]],
    ['a 2-byte sequence interrupted', [0xc3, 0x41]],
    ['a 3-byte sequence interrupted after two bytes', [0xe2, 0x80]],
    // Continuation bytes where a sequence should start, followed by what would complete a
    // 2-, 3- or 4-byte sequence if they were lead bytes.
    ['a continuation byte before one more', [0x82, 0x80]],
    ['a continuation byte before two more', [0x81, 0x80, 0x80]],
    ['a continuation byte before three more', [0x81, 0x80, 0x80, 0x80]],
    ['an overlong 3-byte encoding of "/"', [0xe0, 0x80, 0xaf]],
    ['an encoded surrogate U+D800', [0xed, 0xa0, 0x80]],
    ['an encoded surrogate U+DFFF', [0xed, 0xbf, 0xbf]],
    ['an overlong 4-byte encoding', [0xf0, 0x8f, 0xbf, 0xbf]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('is refused at the first byte of %s', async (_flaw, flaw) => {
    const bytes = Buffer.concat([before, Buffer.from(flaw), utf8('z\r\n')]);
    const error = await openError(bytes);
    expect(error).toMatchObject({ code: 'CORRUPTION', file: path, offset: before.length });
    expect(String(error?.message)).toContain('line 3');
  });

  it('is refused at a sequence cut short by the end of the file', async () => {
    const bytes = Buffer.concat([before, Buffer.from([0xf0, 0x9f, 0x98])]);
    expect(await openError(bytes)).toMatchObject({ code: 'CORRUPTION', offset: before.length });
  });

  it('opens a CSV of those valid extremes alone and reads them back', async () => {
    writeFileSync(path, utf8(`key,value\r\n${extremes},1\r\n`));
    const backend = new CsvBackend({ path });
    await backend.open();
    expect(await backend.get(extremes)).toBe('1');
    await backend.close();
  });
});
