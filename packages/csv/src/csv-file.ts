/**
 * The CSV file itself: a `key,value` header, then one row per key, RFC 4180 quoting by
 * papaparse, UTF-8 with or without a byte order mark. Parsing reports every row it cannot
 * take with its line number (rows may span lines inside quotes, so lines are counted).
 */
import type { EncodedValue } from '@stowage/core';
import Papa from 'papaparse';
import { decodeKeyCell, decodeValueCell, encodeTextCell, encodeValueCell } from './cell-codec.js';
import { normaliseRowEnds, PositionMap } from './line-breaks.js';

export const csvHeader = ['key', 'value'] as const;

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
  readonly malformed: MalformedRow[];
}

export interface ParseOptions {
  /** Skip malformed rows (they are listed in `malformed`) instead of failing on the first. */
  readonly skipMalformed: boolean;
  /** Called for the first malformed row when not skipping, and for a bad header always; must throw. */
  readonly fail: (row: MalformedRow) => never;
}

/** Reads the rows of `original` (already decoded, byte order mark removed); each row may end in CRLF, LF or CR. */
export function parseCsv(original: string, options: ParseOptions): ParsedCsv {
  const entries = new Map<string, EncodedValue>();
  const malformed: MalformedRow[] = [];
  if (original.length === 0) return { entries, malformed };
  const { text, removedBefore } = normaliseRowEnds(original);
  const positions = new PositionMap(removedBefore);

  const lines = new LineCounter(text);
  const firstLines = new Map<string, number>();
  let rowStart = 0;
  let rowIndex = 0;
  let stopped: unknown;

  const report = (line: number, start: number, reason: string, fatal = false) => {
    const at = positions.original(start);
    const row: MalformedRow = { line, offset: Buffer.byteLength(original.slice(0, at), 'utf8'), reason };
    if (fatal || !options.skipMalformed) options.fail(row);
    malformed.push(row);
  };

  Papa.parse<string[]>(text, {
    delimiter: ',',
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
          const isHeader = cells.length === 2 && cells[0] === csvHeader[0] && cells[1] === csvHeader[1];
          if (result.errors.length > 0 || !isHeader)
            report(line, start, `the header must be "${csvHeader.join(',')}"`, true);
          return;
        }
        const firstError = result.errors[0];
        if (firstError) return report(line, start, describeQuoteError(firstError.code));
        if (cells.length === 1 && cells[0] === '') return; // a blank line
        if (cells.length !== 2) return report(line, start, `expected 2 cells (key,value), found ${cells.length}`);
        const key = decodeKeyCell(cells[0]!);
        const value = decodeValueCell(cells[1]!);
        if (value instanceof Error) return report(line, start, value.message);
        const earlier = firstLines.get(key);
        if (earlier !== undefined) return report(line, start, `the key is already on line ${earlier}`);
        firstLines.set(key, line);
        entries.set(key, value);
      } catch (error) {
        stopped = error;
        parser.abort();
      }
    },
  });
  if (stopped !== undefined) throw stopped;
  return { entries, malformed };
}

/** The whole CSV text for `entries`, header first, each row ending in CRLF. */
export function serializeCsv(entries: Iterable<[string, EncodedValue]>): string {
  const rows: string[][] = [[...csvHeader]];
  for (const [key, value] of entries) rows.push([encodeTextCell(key), encodeValueCell(value)]);
  return Papa.unparse(rows, { delimiter: ',', newline: csvNewline, quotes: false, escapeFormulae: false }) + csvNewline;
}

function describeQuoteError(code: string): string {
  if (code === 'MissingQuotes') return 'a quoted cell is never closed';
  if (code === 'InvalidQuotes') return 'text follows the closing quote of a cell';
  return `unreadable row (${code})`;
}

/** Maps character positions to 1-based line numbers, moving forward only. */
class LineCounter {
  #position = 0;
  #line = 1;
  constructor(readonly text: string) {}

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
