/**
 * The `expires` column: when an entry expires, in a form a person editing the sheet reads
 * and can type. Written as an ISO 8601 UTC time with milliseconds (`2026-12-05T10:41:06.123Z`);
 * read as that (any ISO 8601 date-time with `Z` or an offset), or as a plain number of ms
 * since 1970 (what a script may prefer to type). An empty cell: never expires. An expiry
 * that is not a whole ms within the range of dates is written as its number, so every
 * expiry the engine accepted reads back exactly.
 */
import { decodeKeyCell, encodeTextCell } from './cell-codec.js';

const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const numberPattern = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;
const maxDate = 8.64e15;

export function encodeExpiryCell(expiresAt: number | undefined): string {
  if (expiresAt === undefined) return '';
  // Stryker disable next-line EqualityOperator: at exactly ±maxDate the ISO text has a 6-digit year, which the pattern refuses, so the number is written either way
  if (Number.isInteger(expiresAt) && Math.abs(expiresAt) <= maxDate) {
    const iso = new Date(expiresAt).toISOString();
    // Years outside 0000-9999 come out as +275760-..., which the pattern does not read back.
    if (isoPattern.test(iso)) return iso;
  }
  return encodeTextCell(String(expiresAt)); // a leading - gets the formula mark
}

/** The expiry a cell holds: undefined for an empty cell, an Error saying what to type for anything else unreadable. */
export function decodeExpiryCell(cell: string): number | undefined | Error {
  const text = decodeKeyCell(cell).trim();
  if (text === '') return undefined;
  if (isoPattern.test(text)) {
    const time = Date.parse(text);
    if (Number.isFinite(time)) return time;
  } else if (numberPattern.test(text)) {
    const time = Number(text);
    if (Number.isFinite(time)) return time;
  }
  return new Error(
    `the expires cell "${text}" is not a time: type an ISO 8601 UTC time such as 2030-01-31T12:00:00.000Z, ` +
      'a number of ms since 1970, or leave it empty for no expiry',
  );
}
