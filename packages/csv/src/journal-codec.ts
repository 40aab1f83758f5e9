/**
 * The operations of one batch as the journal holds them: a JSON array of `["s", key, cell]`
 * (the value in its CSV cell form, see cell-codec.ts; a fourth item is the expiry in ms
 * since the epoch) or `["d", key]`. JSON never holds a raw line break or a NUL byte, which
 * the record framing (journal-format.ts) relies on.
 */
import type { BatchOperation } from '@stowage/core';
import { decodeValueCell, encodeValueCell } from './cell-codec.js';

type JournalOperation =
  | readonly ['s', string, string]
  | readonly ['s', string, string, number]
  | readonly ['d', string];

const encoder = new TextEncoder();

/**
 * The UTF-8 JSON of one batch. Each operation is stringified on its own and the bytes
 * joined, so a batch of many large values never becomes one oversized string.
 */
export function encodeBatch(operations: readonly BatchOperation[]): Uint8Array {
  const parts = operations.map((operation) => {
    if (operation.type === 'delete') return encoder.encode(JSON.stringify(['d', operation.key]));
    const cell = encodeValueCell(operation.value);
    const item: JournalOperation =
      operation.expiresAt === undefined ? ['s', operation.key, cell] : ['s', operation.key, cell, operation.expiresAt];
    return encoder.encode(JSON.stringify(item));
  });
  let length = 2 + Math.max(0, parts.length - 1);
  for (const part of parts) length += part.length;
  const batch = new Uint8Array(length);
  let at = 0;
  batch[at++] = 0x5b; // [
  parts.forEach((part, index) => {
    if (index > 0) batch[at++] = 0x2c; // ,
    batch.set(part, at);
    at += part.length;
  });
  batch[at] = 0x5d; // ]
  return batch;
}

/** The operations of a parsed batch, or undefined when it is not one. */
export function decodeBatch(parsed: unknown): BatchOperation[] | undefined {
  if (!Array.isArray(parsed)) return undefined;
  const batch: BatchOperation[] = [];
  for (const item of parsed) {
    const operation = decodeOperation(item);
    if (operation === undefined) return undefined;
    batch.push(operation);
  }
  return batch;
}

function decodeOperation(item: unknown): BatchOperation | undefined {
  if (!Array.isArray(item) || typeof item[1] !== 'string') return undefined;
  if (item[0] === 'd' && item.length === 2) return { type: 'delete', key: item[1] };
  if (item[0] !== 's' || (item.length !== 3 && item.length !== 4) || typeof item[2] !== 'string') return undefined;
  const value = decodeValueCell(item[2]);
  if (value instanceof Error) return undefined;
  if (item.length === 3) return { type: 'set', key: item[1], value };
  const expiresAt: unknown = item[3];
  // Number.isFinite is false for anything that is not a number (no coercion).
  if (!Number.isFinite(expiresAt)) return undefined;
  return { type: 'set', key: item[1], value, expiresAt: expiresAt as number };
}
