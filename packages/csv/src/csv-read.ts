/**
 * Reading a CSV file of any size: the bytes are cut into pieces at row ends (a line break
 * outside quoted cells; `"`, `,`, CR and LF are single bytes in UTF-8, so a cut never splits
 * a character), and each piece is decoded and parsed on its own. No string ever holds the
 * whole file, so a file past V8's string limit (about 512 Mi characters) still opens.
 */
import { type MalformedRow, type ParsedCsv, type ParseOptions, parseCsv } from './csv-file.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const byteOrderMark = [0xef, 0xbb, 0xbf];

/** Bytes that are not UTF-8, with where they are. */
export class NotUtf8 extends Error {
  constructor(
    readonly line: number,
    readonly offset: number,
  ) {
    super(`line ${line}, byte ${offset} is not UTF-8`);
  }
}

export interface ReadCsv extends ParsedCsv {
  readonly hadByteOrderMark: boolean;
  /** The line each key's row starts on, to tell a person where a cell is. */
  readonly lines: Map<string, number>;
}

/** Parses `data` (the file's bytes); throws NotUtf8 for bytes that are not UTF-8. */
export function readCsvBytes(data: Uint8Array, options: ParseOptions, pieceBytes = 16 << 20): ReadCsv {
  const hadByteOrderMark = byteOrderMark.every((byte, index) => data[index] === byte);
  const start = hadByteOrderMark ? 3 : 0;
  const into: ParsedCsv = { entries: new Map(), expiries: new Map(), malformed: [] as MalformedRow[], columns: 2 };
  const firstLines = new Map<string, number>();
  let line = 1;
  let first = true;
  for (const [from, to] of rowAlignedPieces(data, start, pieceBytes)) {
    const piece = data.subarray(from, to);
    let text: string;
    try {
      text = utf8.decode(piece);
    } catch {
      const bad = from + firstInvalidUtf8(piece);
      throw new NotUtf8(line + countLines(data.subarray(from, bad)), bad);
    }
    parseCsv(text, options, { first, line, offset: from, firstLines }, into);
    line += countLines(piece);
    first = false;
  }
  return { ...into, hadByteOrderMark, lines: firstLines };
}

/** [from, to) byte ranges of at least `size` bytes (but the last), each ending just after a row end. */
export function* rowAlignedPieces(data: Uint8Array, start: number, size: number): Generator<[number, number]> {
  let pieceStart = start;
  let quoted = false;
  let fieldStart = true;
  for (let i = start; i < data.length; i++) {
    const byte = data[i]!;
    if (quoted) {
      if (byte === 0x22) {
        if (data[i + 1] === 0x22) i++;
        else quoted = false;
      }
      continue;
    }
    if (byte === 0x22 && fieldStart) {
      quoted = true;
      fieldStart = false;
      continue;
    }
    const rowEnd = byte === 0x0a || (byte === 0x0d && data[i + 1] !== 0x0a);
    fieldStart = byte === 0x2c || byte === 0x0a || byte === 0x0d;
    // Never start a piece with U+FEFF: the parser takes a leading one for a byte order mark
    // and drops it, so a key beginning with that character would lose it at a piece boundary.
    if (rowEnd && i + 1 - pieceStart >= size && !startsWithByteOrderMark(data, i + 1)) {
      yield [pieceStart, i + 1];
      pieceStart = i + 1;
    }
  }
  // Stryker disable next-line ConditionalExpression: the one empty piece of empty data parses to nothing, as no piece does
  if (pieceStart < data.length || pieceStart === start) yield [pieceStart, data.length];
}

function startsWithByteOrderMark(data: Uint8Array, at: number): boolean {
  return data[at] === 0xef && data[at + 1] === 0xbb && data[at + 2] === 0xbf;
}

/** Line breaks in `bytes`, counted as the parser counts them (CRLF once). */
function countLines(bytes: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d || (bytes[i] === 0x0a && bytes[i - 1] !== 0x0d)) count++;
  }
  return count;
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    let length: number;
    let min: number;
    if (byte < 0x80) {
      i++;
      continue;
    } else if (byte >= 0xc2 && byte <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (byte >= 0xe0 && byte <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else {
      return i;
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: past the end bytes[i + k] is undefined, which fails the continuation-byte test below at the same i
    if (i + length > bytes.length) return i;
    let code = byte & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k]!;
      if ((next & 0xc0) !== 0x80) return i;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += length;
  }
  return bytes.length;
}
