/**
 * Journals written before the journal had a header (format 1, @stowage/csv before the
 * `STOWAGE-CSV-JOURNAL 2` header): one line per batch, `<crc32c as 8 hex digits> <JSON>\n`.
 * Such a file exists only when an older version crashed; it is read with that format's
 * rules (a torn or garbled last part is cut, a damaged line with intact lines after it is
 * damage), folded into the CSV at once, and the journal restarts in the current format.
 */
import type { BatchOperation } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import { decodeBatch } from './journal-codec.js';

const newline = 0x0a;
const crcDigits = 8;
// Stryker disable next-line Regex: it only ever tests exactly 8 characters, so a match of 8 is anchored at both ends anyway
const hexPattern = /^[0-9a-f]{8}$/;

/** True when `data` starts like a format-1 journal (`<8 hex digits> [`). */
export function looksLikeLegacyJournal(data: Uint8Array): boolean {
  const start = String.fromCharCode(...data.subarray(0, crcDigits + 2));
  // Stryker disable next-line Regex: `start` is at most 10 characters, so a match of all 10 is anchored at both ends anyway
  return /^[0-9a-f]{8} \[$/.test(start);
}

/** A format-1 journal read back: its intact batches, where the intact part ends, and the first damage with intact lines after it. */
export interface LegacyContent {
  readonly batches: BatchOperation[][];
  readonly validLength: number;
  /** Offset of a damaged line followed by intact lines, if any. */
  readonly damageAt: number | undefined;
}

export function decodeLegacyJournal(data: Uint8Array): LegacyContent {
  const batches: BatchOperation[][] = [];
  let position = 0;
  // Stryker disable next-line EqualityOperator: at position === length indexOf finds nothing, which returns what the loop's end returns
  while (position < data.length) {
    const end = data.indexOf(newline, position);
    // Stryker disable next-line EqualityOperator: at end === 0 the line is empty, which decodeLine rejects anyway
    const batch = end < 0 ? undefined : decodeLine(data.subarray(position, end));
    if (batch === undefined) {
      return { batches, validLength: position, damageAt: hasIntactLineAfter(data, end) ? position : undefined };
    }
    batches.push(batch);
    position = end + 1;
  }
  return { batches, validLength: position, damageAt: undefined };
}

function hasIntactLineAfter(data: Uint8Array, end: number): boolean {
  if (end < 0) return false;
  // Stryker disable next-line EqualityOperator: at position === length indexOf finds nothing and it returns false, as after the loop
  for (let position = end + 1; position < data.length; ) {
    const next = data.indexOf(newline, position);
    // Stryker disable next-line EqualityOperator: position is at least 1 here, so next is never 0
    if (next < 0) return false;
    if (decodeLine(data.subarray(position, next)) !== undefined) return true;
    position = next + 1;
  }
  return false;
}

function decodeLine(line: Uint8Array): BatchOperation[] | undefined {
  // Stryker disable next-line ArithmeticOperator,ConditionalExpression: a shorter line, or one without the space, fails the hex or checksum test below anyway (no JSON of 0 or 1 character is a batch)
  if (line.length < crcDigits + 3 || line[crcDigits] !== 0x20) return undefined;
  const digits = String.fromCharCode(...line.subarray(0, crcDigits));
  const payload = line.subarray(crcDigits + 1);
  if (!hexPattern.test(digits) || crc32c(payload) !== Number.parseInt(digits, 16)) return undefined;
  try {
    // A decoder per line: such a journal is read once, at the open that folds it away.
    return decodeBatch(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)));
  } catch {
    return undefined;
  }
}
