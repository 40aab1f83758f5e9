/**
 * The CSV file itself: a `key,value` header, then one row per key, RFC 4180 quoting by
 * papaparse, UTF-8 with or without a byte order mark. Parsing reports every row it cannot
 * take with its line number (rows may span lines inside quotes, so lines are counted).
 */
import type { EncodedValue } from '@stowage/core';
import Papa from 'papaparse';
import { decodeKeyCell, decodeValueCell, encodeTextCell, encodeValueCell } from './cell-codec.js';
import { decodeExpiryCell, encodeExpiryCell } from './expiry-cell.js';
import { normaliseRowEnds, PositionMap } from './line-breaks.js';

export const csvHeader = ['key', 'value'] as const;
/** The header of a file with expiries: the third column holds when each entry expires. */
export const csvHeaderWithExpiry = ['key', 'value', 'expires'] as const;

/** The line break the engine writes, as RFC 4180 asks (rows ending in LF or CR, even mixed, read fine). */
export const csvNewline = '\r\n';

/** A row that could not be read. */
export interface MalformedRow {
  /** 1-based line the row starts on. */
  readonly line: number;
  /** Byte offset in the file where the row starts. */
  readonly offset: number;
  readonly reason: string;
}

export interface ParsedCsv {
  readonly entries: Map<string, EncodedValue>;
  /** Expiries from the `expires` column, ms since the epoch. */
  readonly expiries: Map<string, number>;
  readonly malformed: MalformedRow[];
  /** Columns the header named: 2 (`key,value`) or 3 (`key,value,expires`); set by the first piece. */
  columns: 2 | 3;
}

export interface ParseOptions {
  /** Skip malformed rows (they are listed in `malformed`) instead of failing on the first. */
  readonly skipMalformed: boolean;
  /** Called for the first malformed row when not skipping, and for a bad header always; must throw. */
  readonly fail: (row: MalformedRow) => never;
}

/** Where a piece of the file starts, and what earlier pieces found (keys and their lines). */
export interface PieceContext {
  /** True for the piece that holds the header row. */
  readonly first: boolean;
  /** 1-based line the piece starts on. */
  readonly line: number;
  /** Byte offset in the file where the piece starts. */
  readonly offset: number;
  readonly firstLines: Map<string, number>;
}

/**
 * Reads the rows of `original` (already decoded, byte order mark removed); each row may end
 * in CRLF, LF or CR. A large file is read in pieces cut at row ends (see readCsvBytes):
 * `context` says where this piece starts and carries what earlier pieces found.
 */
export function parseCsv(
  original: string,
  options: ParseOptions,
  context: PieceContext = { first: true, line: 1, offset: 0, firstLines: new Map() },
  into: ParsedCsv = { entries: new Map(), expiries: new Map(), malformed: [], columns: 2 },
): ParsedCsv {
  const { entries, expiries, malformed } = into;
  // Stryker disable next-line ConditionalExpression: papaparse finds no row in empty text, so nothing is added either way
  if (original.length === 0) return into;
  const { text, removedBefore } = normaliseRowEnds(original);
  const positions = new PositionMap(removedBefore);

  const lines = new LineCounter(text, context.line);
  const firstLines = context.firstLines;
  let rowStart = 0;
  let rowIndex = context.first ? 0 : 1;
  let stopped: unknown;

  const report = (line: number, start: number, reason: string, fatal = false) => {
    const at = positions.original(start);
    // Stryker disable next-line StringLiteral: Buffer.byteLength counts UTF-8 by default
    const offset = context.offset + Buffer.byteLength(original.slice(0, at), 'utf8');
    const row: MalformedRow = { line, offset, reason };
    if (fatal || !options.skipMalformed) options.fail(row);
    malformed.push(row);
  };
  Papa.parse<string[]>(text, {
    delimiter: ',',
    // Stryker disable next-line StringLiteral: the text's row ends are all \n (normaliseRowEnds), which papaparse's detection finds too
    newline: '\n',
    quoteChar: '"',
    escapeChar: '"',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false,
    step(result, parser) {
      const start = rowStart;
      const line = lines.lineAt(start);
      rowStart = result.meta.cursor;
      const index = rowIndex++;
      try {
        const cells = result.data;
        if (index === 0) {
          const isHeader =
            (cells.length === 2 || (cells.length === 3 && cells[2] === csvHeaderWithExpiry[2])) &&
            cells[0] === csvHeader[0] &&
            cells[1] === csvHeader[1];
          if (result.errors.length > 0 || !isHeader) {
            report(
              line,
              start,
              `the header must be "${csvHeader.join(',')}" or "${csvHeaderWithExpiry.join(',')}"`,
              true,
            );
          }
          into.columns = cells.length as 2 | 3;
          return;
        }
        const firstError = result.errors[0];
        if (firstError) return report(line, start, describeQuoteError(firstError.code));
        if (cells.length === 1 && cells[0] === '') return; // a blank line
        // A row typed without its expires cell (`c,3`) simply does not expire.
        if (cells.length !== 2 && cells.length !== into.columns) {
          // Stryker disable next-line all: the column names only word the reason below
          const names = into.columns === 2 ? 'key,value' : 'key,value,expires';
          return report(line, start, `expected ${into.columns} cells (${names}), found ${cells.length}`);
        }
        const key = decodeKeyCell(cells[0]!);
        const value = decodeValueCell(cells[1]!);
        if (value instanceof Error) return report(line, start, `column 2 (value): ${value.message}`);
        const expiresAt = cells.length === 3 ? decodeExpiryCell(cells[2]!) : undefined;
        if (expiresAt instanceof Error) return report(line, start, `column 3 (expires): ${expiresAt.message}`);
        const earlier = firstLines.get(key);
        if (earlier !== undefined) return report(line, start, `the key is already on line ${earlier}`);
        firstLines.set(key, line);
        entries.set(key, value);
        if (expiresAt !== undefined) expiries.set(key, expiresAt);
      } catch (error) {
        stopped = error;
        parser.abort();
      }
    },
  });
  if (stopped !== undefined) throw stopped;
  return into;
}

/** The whole CSV text for `entries`, header first, each row ending in CRLF (for tests and small stores). */
export function serializeCsv(
  entries: Iterable<[string, EncodedValue]>,
  expiries?: ReadonlyMap<string, number>,
): string {
  return [...serializeCsvChunks(entries, undefined, expiries)].join('');
}

/**
 * The CSV text for `entries` in chunks of about `chunkChars` characters (a row longer than
 * that is a chunk of its own), so a store of any size is written without ever building one
 * string of the whole file — V8 caps a string at about 512 Mi characters.
 */
export function* serializeCsvChunks(
  entries: Iterable<[string, EncodedValue]>,
  chunkChars = 1 << 20,
  expiries?: ReadonlyMap<string, number>,
): Generator<string> {
  // The expires column appears only when some entry expires, so a store without TTLs stays key,value.
  const withExpiry = expiries !== undefined && expiries.size > 0;
  let rows: string[][] = [withExpiry ? [...csvHeaderWithExpiry] : [...csvHeader]];
  let chars = 0;
  for (const [key, value] of entries) {
    const row = [encodeTextCell(key), encodeValueCell(value)];
    if (withExpiry) row.push(encodeExpiryCell(expiries.get(key)));
    rows.push(row);
    chars += row[0]!.length + row[1]!.length + 3;
    if (chars >= chunkChars) {
      yield unparse(rows);
      rows = [];
      chars = 0;
    }
  }
  if (rows.length > 0) yield unparse(rows);
}

function unparse(rows: string[][]): string {
  return Papa.unparse(rows, { delimiter: ',', newline: csvNewline, quotes: false, escapeFormulae: false }) + csvNewline;
}

// Stryker disable all: only the words of a malformed row's reason (its code, line and offset are kept)
function describeQuoteError(code: string): string {
  if (code === 'MissingQuotes') return 'a quoted cell is never closed';
  if (code === 'InvalidQuotes') return 'text follows the closing quote of a cell';
  return `unreadable row (${code})`;
}
// Stryker restore all

/** Maps character positions to 1-based line numbers, moving forward only. */
export class LineCounter {
  #position = 0;
  #line: number;
  constructor(
    readonly text: string,
    firstLine = 1,
  ) {
    this.#line = firstLine;
  }

  lineAt(position: number): number {
    const text = this.text;
    for (let i = this.#position; i < position; i++) {
      const code = text.charCodeAt(i);
      // CRLF counts once: the CR is counted, the LF after it is not.
      if (code === 0x0d || (code === 0x0a && text.charCodeAt(i - 1) !== 0x0d)) this.#line++;
    }
    this.#position = Math.max(this.#position, position);
    return this.#line;
  }
}
