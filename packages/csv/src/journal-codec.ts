/**
 * The journal's lines. One line is one write or one whole batch, so a batch is as atomic
 * as a line: `<crc32c as 8 hex digits> <JSON array of operations>\n`. An operation is
 * `["s", key, cell]` (the value in its CSV cell form, see cell-codec.ts) or `["d", key]`.
 * JSON never holds a raw line break, so `\n` only ends lines; the CRC (over the UTF-8
 * bytes of the JSON) tells a complete line from one a crash tore or a disk garbled.
 */
import type { BatchOperation } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import { decodeValueCell, encodeValueCell } from './cell-codec.js';

type JournalOperation = readonly ['s', string, string] | readonly ['d', string];

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const newline = 0x0a;
const crcDigits = 8;
const hexPattern = /^[0-9a-f]{8}$/;

/** The journal line (with its line break) for `operations`, as UTF-8 bytes. */
export function encodeJournalLine(operations: readonly BatchOperation[]): Uint8Array {
  const payload = encoder.encode(
    JSON.stringify(
      operations.map(
        (operation): JournalOperation =>
          operation.type === 'set' ? ['s', operation.key, encodeValueCell(operation.value)] : ['d', operation.key],
      ),
    ),
  );
  const line = new Uint8Array(crcDigits + 1 + payload.length + 1);
  encoder.encodeInto(crc32c(payload).toString(16).padStart(crcDigits, '0'), line);
  line[crcDigits] = 0x20;
  line.set(payload, crcDigits + 1);
  line[line.length - 1] = newline;
  return line;
}

/** A journal read back: the operations of its intact lines, and where the intact part ends. */
export interface JournalContent {
  readonly batches: BatchOperation[][];
  /** Bytes of intact lines; anything after was torn by a crash and is to be cut off. */
  readonly validLength: number;
}

/** Where a damaged line sits in the middle of a journal (intact lines follow it). */
export class JournalDamage extends Error {
  constructor(readonly offset: number) {
    super(`damaged journal line at byte ${offset}`);
  }
}

/**
 * Reads every line of `data`. A damaged or unfinished tail (a crash while appending) is
 * left out; a damaged line followed by intact lines is real damage: JournalDamage.
 */
export function decodeJournal(data: Uint8Array): JournalContent {
  const batches: BatchOperation[][] = [];
  let position = 0;
  while (position < data.length) {
    const end = data.indexOf(newline, position);
    const batch = end < 0 ? undefined : decodeLine(data.subarray(position, end));
    if (batch === undefined) {
      if (hasIntactLineAfter(data, end)) throw new JournalDamage(position);
      break;
    }
    batches.push(batch);
    position = end + 1;
  }
  return { batches, validLength: position };
}

function hasIntactLineAfter(data: Uint8Array, end: number): boolean {
  if (end < 0) return false;
  for (let position = end + 1; position < data.length; ) {
    const next = data.indexOf(newline, position);
    if (next < 0) return false;
    if (decodeLine(data.subarray(position, next)) !== undefined) return true;
    position = next + 1;
  }
  return false;
}

/** The operations of one line (without its line break), or undefined when it is not intact. */
function decodeLine(line: Uint8Array): BatchOperation[] | undefined {
  if (line.length < crcDigits + 3 || line[crcDigits] !== 0x20) return undefined;
  const digits = String.fromCharCode(...line.subarray(0, crcDigits));
  const payload = line.subarray(crcDigits + 1);
  if (!hexPattern.test(digits) || crc32c(payload) !== Number.parseInt(digits, 16)) return undefined;
  try {
    const parsed: unknown = JSON.parse(decoder.decode(payload));
    if (!Array.isArray(parsed)) return undefined;
    const batch: BatchOperation[] = [];
    for (const item of parsed) {
      const operation = decodeOperation(item);
      if (operation === undefined) return undefined;
      batch.push(operation);
    }
    return batch;
  } catch {
    return undefined;
  }
}

function decodeOperation(item: unknown): BatchOperation | undefined {
  if (!Array.isArray(item) || typeof item[1] !== 'string') return undefined;
  if (item[0] === 'd' && item.length === 2) return { type: 'delete', key: item[1] };
  if (item[0] !== 's' || item.length !== 3 || typeof item[2] !== 'string') return undefined;
  const value = decodeValueCell(item[2]);
  return value instanceof Error ? undefined : { type: 'set', key: item[1], value };
}
