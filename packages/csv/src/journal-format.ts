/**
 * The journal file, format 2. It starts with the header line `STOWAGE-CSV-JOURNAL 2\n`,
 * so a foreign file put in its place is refused rather than truncated. Then one record per
 * append (a group commit of one or more batches):
 *
 *     <payload length, 8 hex digits> <crc32c of the payload, 8 hex digits> <payload>\n
 *
 * where the payload is a JSON array of batches (journal-codec.ts). One record per append
 * matters: a crash can tear only the append that was in flight, so the damage it leaves is
 * always inside the LAST record and reaches the end of the file — the record is cut short
 * (the file ends before its stated length), or the rest of it reads as zeros (delayed
 * allocation). Anything else — a bad record with bytes after its end, a garbled header
 * with non-zero bytes after it — cannot come from a crash and is damage.
 */
import type { BatchOperation } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import { decodeBatch } from './journal-codec.js';

export const JOURNAL_MAGIC = 'STOWAGE-CSV-JOURNAL ';
export const JOURNAL_VERSION = 2;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The first line of every format-2 journal. */
export const journalHeader: Uint8Array = encoder.encode(`${JOURNAL_MAGIC}${JOURNAL_VERSION}\n`);

const newline = 0x0a;
const space = 0x20;
/** `<8 hex> <8 hex> `: the bytes before the payload. */
const HEAD = 18;
const hexDigits = 8;

/** One record holding `batches` (each the JSON of one batch, see encodeBatch). */
export function encodeRecord(batches: readonly Uint8Array[]): Uint8Array {
  let payloadLength = 1 + Math.max(0, batches.length - 1) + 1;
  for (const batch of batches) payloadLength += batch.length;
  const record = new Uint8Array(HEAD + payloadLength + 1);
  encoder.encodeInto(hex(payloadLength), record);
  record[hexDigits] = space;
  record[HEAD - 1] = space;
  let at = HEAD;
  record[at++] = 0x5b; // [
  batches.forEach((batch, index) => {
    if (index > 0) record[at++] = 0x2c; // ,
    record.set(batch, at);
    at += batch.length;
  });
  record[at++] = 0x5d; // ]
  record[at] = newline;
  encoder.encodeInto(hex(crc32c(record.subarray(HEAD, HEAD + payloadLength))), record.subarray(hexDigits + 1));
  return record;
}

/** How the journal ends after its last intact record. */
export interface JournalTail {
  /**
   * `torn`: the last record was cut short by a crash (never acknowledged).
   * `zeroed`: a header fragment followed by zeros up to the end — what a crash with delayed
   * allocation leaves, but also what zeroed acknowledged records look like; told apart
   * only by the stated length when enough of it survives.
   * `damaged`: anything a crash cannot leave.
   */
  readonly kind: 'torn' | 'zeroed' | 'damaged';
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
  /** For `damaged`: how many intact records follow the damage. */
  readonly intactAfter: number;
}

export interface ScannedJournal {
  readonly batches: BatchOperation[][];
  /** End of the last intact record. */
  readonly validLength: number;
  readonly tail: JournalTail | undefined;
}

/** Reads the records of `data` from `start` (just past the header). */
export function scanRecords(data: Uint8Array, start: number): ScannedJournal {
  const batches: BatchOperation[][] = [];
  let at = start;
  while (at < data.length) {
    const record = readRecord(data, at);
    if (typeof record === 'string') return { batches, validLength: at, tail: classify(data, at, record) };
    batches.push(...record.batches);
    at = record.end;
  }
  return { batches, validLength: at, tail: undefined };
}

function classify(data: Uint8Array, at: number, reason: string): JournalTail {
  const bytes = data.length - at;
  const tail = (kind: JournalTail['kind'], why = reason): JournalTail => ({
    kind,
    offset: at,
    bytes,
    reason: why,
    intactAfter: kind === 'damaged' ? countIntactAfter(data, at) : 0,
  });
  const length = headLength(data, at);
  if (length !== undefined) {
    const end = at + HEAD + length + 1;
    // Cut short: the file ends inside the record, and no line break (so no record) follows.
    // Stryker disable next-line EqualityOperator: indexOf from `at` (past the header) is never 0
    if (end > data.length) return data.indexOf(newline, at) < 0 ? tail('torn') : tail('damaged');
    // The rest of the last record reads as zeros, up to exactly its stated end.
    if (end === data.length && data[end - 1] === 0) return tail('torn');
    return tail('damaged', end === data.length ? reason : `${reason}, and ${data.length - end} bytes follow it`);
  }
  let nonZeroEnd = data.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the byte before `at` ends the header or a record (a line break, never 0), so the run stops there anyway
  while (nonZeroEnd > at && data[nonZeroEnd - 1] === 0) nonZeroEnd--;
  const fragment = data.subarray(at, nonZeroEnd);
  if (!isHeadPrefix(fragment)) return tail('damaged');
  if (nonZeroEnd === data.length) return tail('torn', 'the file ends inside a record header');
  // A header fragment, then zeros. A crash leaves exactly one record's length of them, so
  // the length digits that survive must allow the run; zeroed acknowledged records rarely do.
  const known = Math.min(fragment.length, hexDigits);
  const scale = 16 ** (hexDigits - known);
  const low = known === 0 ? 0 : Number.parseInt(String.fromCharCode(...fragment.subarray(0, known)), 16) * scale;
  const high = low + scale - 1;
  if (bytes < HEAD + low + 1 || bytes > HEAD + high + 1) {
    return tail('damaged', `${reason}; the zeros after it are longer than the record it starts`);
  }
  // The whole stated length survived and the zeros end exactly where the record would: torn.
  if (known === hexDigits) return tail('torn', `${reason}; zeros up to the record's stated end`);
  return tail('zeroed', `${reason}, followed by ${bytes - fragment.length} zero bytes to the end of the file`);
}

/** The payload length a well-formed record head at `at` states, or undefined. */
function headLength(data: Uint8Array, at: number): number | undefined {
  // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: a short valid prefix is then classified torn by its stated length instead of as a cut header: the same kind, other words
  if (data.length - at < HEAD) return undefined;
  if (!isHeadPrefix(data.subarray(at, at + HEAD))) return undefined;
  return Number.parseInt(String.fromCharCode(...data.subarray(at, at + hexDigits)), 16);
}

/** True when `bytes` could be the start of a record head (`<8 hex> <8 hex> `). */
function isHeadPrefix(bytes: Uint8Array): boolean {
  // Stryker disable next-line ConditionalExpression: a longer fragment with a valid head has a length (headLength), so it never gets here
  if (bytes.length > HEAD) return false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const ok = i === hexDigits || i === HEAD - 1 ? byte === space : isHexDigit(byte);
    if (!ok) return false;
  }
  return true;
}

function isHexDigit(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66);
}

/** The intact record at `at` (its batches and where it ends), or why there is none. */
function readRecord(data: Uint8Array, at: number): { batches: BatchOperation[][]; end: number } | string {
  if (data.length - at < HEAD) return 'incomplete record header';
  const length = headLength(data, at);
  if (length === undefined) return 'invalid record header';
  const end = at + HEAD + length + 1;
  if (end > data.length) return 'record runs past the end of the file';
  if (data[end - 1] !== newline) return 'record does not end with a line break';
  const payload = data.subarray(at + HEAD, end - 1);
  const stated = Number.parseInt(String.fromCharCode(...data.subarray(at + hexDigits + 1, at + HEAD - 1)), 16);
  if (crc32c(payload) !== stated) return 'record checksum mismatch';
  try {
    const parsed: unknown = JSON.parse(decoder.decode(payload));
    if (!Array.isArray(parsed)) return 'record does not hold batches';
    const batches: BatchOperation[][] = [];
    for (const item of parsed) {
      const batch = decodeBatch(item);
      if (batch === undefined) return 'record holds a malformed operation';
      batches.push(batch);
    }
    return { batches, end };
  } catch {
    return 'record is not JSON';
  }
}

/** How many intact records start after `at` (each at a line start): what cutting at `at` would drop. */
function countIntactAfter(data: Uint8Array, at: number): number {
  let count = 0;
  for (let position = data.indexOf(newline, at + 1); position >= 0; ) {
    const record = readRecord(data, position + 1);
    if (typeof record === 'string') {
      position = data.indexOf(newline, position + 1);
    } else {
      count++;
      position = record.end - 1;
    }
  }
  return count;
}

function hex(value: number): string {
  return value.toString(16).padStart(hexDigits, '0');
}
