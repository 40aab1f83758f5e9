/**
 * Guarantee: a journal record counts only when its checksum matches and its payload is a
 * JSON array of well-formed batches. A record whose checksum matches a payload that is not
 * JSON, not an array, or holds a malformed operation is never replayed: the scan stops
 * before it and reports it, with the batches before it intact. A batch is well-formed
 * only when every operation is `["d", key]`, `["s", key, cell]` or `["s", key, cell, expiry]`
 * with a string key, a cell that decodes, and a finite number for the expiry.
 */
import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from './journal-codec.js';
import { encodeRecord, journalHeader, scanRecords } from './journal-format.js';

const hex = (value: number) => value.toString(16).padStart(8, '0');

/** A record with a correct length and checksum around any payload. */
function recordAround(payload: string): Buffer {
  const bytes = Buffer.from(payload);
  return Buffer.from(`${hex(bytes.length)} ${hex(crc32c(bytes))} ${payload}\n`);
}

const intact = encodeRecord([encodeBatch([{ type: 'set', key: 'a', value: '1' }])]);

describe('a journal record whose checksum matches', () => {
  it.each([
    ['text that is not JSON', '[["s","a"'],
    ['JSON that is not an array', '{"s":"a"}'],
    ['an array holding a malformed operation', '[[["x","a","1"]]]'],
  ])('but whose payload is %s is not replayed', (_what, payload) => {
    const data = Buffer.concat([journalHeader, intact, recordAround(payload)]);
    const scanned = scanRecords(data, journalHeader.length);
    expect(scanned.batches).toEqual([[{ type: 'set', key: 'a', value: '1' }]]);
    expect(scanned.validLength).toBe(journalHeader.length + intact.length);
    expect(scanned.tail).toMatchObject({ kind: 'damaged', offset: journalHeader.length + intact.length });
  });

  it('around a JSON array of well-formed batches is replayed (the helper above builds valid records)', () => {
    const data = Buffer.concat([journalHeader, recordAround('[[["s","b","2"]]]')]);
    expect(scanRecords(data, journalHeader.length)).toEqual({
      batches: [[{ type: 'set', key: 'b', value: '2' }]],
      validLength: data.length,
      tail: undefined,
    });
  });
});

describe('a batch read back from the journal', () => {
  it.each([
    ['not an array', { d: 'a' }],
    ['an operation that is not an array', ['d']],
    ['a deletion without a key', [['d']]],
    ['a deletion whose key is not a string', [['d', 1]]],
    ['a deletion with an extra item', [['d', 'a', 'x']]],
    ['a set without its cell', [['s', 'a']]],
    ['a set whose key is not a string', [['s', 1, 'v']]],
    ['a set whose cell is not a string', [['s', 'a', 1]]],
    ['a set with too many items', [['s', 'a', 'v', 1, 2]]],
    ['a set whose expiry is not a number', [['s', 'a', 'v', '1']]],
    ['a set whose expiry is null', [['s', 'a', 'v', null]]],
    ['an unknown operation', [['x', 'a', 'v']]],
    ['a set whose cell claims bytes that are not base64', [['s', 'a', 'base64:not base64!']]],
    ['a set whose expiry overflows to Infinity', JSON.parse('[["s","a","v",1e999]]')],
    [
      'one malformed operation after good ones',
      [
        ['d', 'a'],
        ['s', 'b', 'v'],
        ['s', 'c'],
      ],
    ],
  ])('is refused when it is %s', (_what, parsed) => {
    expect(decodeBatch(parsed)).toBeUndefined();
  });

  it('is read when every operation is well-formed', () => {
    expect(
      decodeBatch([
        ['d', 'a'],
        ['s', 'b', 'v'],
        ['s', 'c', 'w', 5],
      ]),
    ).toEqual([
      { type: 'delete', key: 'a' },
      { type: 'set', key: 'b', value: 'v' },
      { type: 'set', key: 'c', value: 'w', expiresAt: 5 },
    ]);
    expect(decodeBatch([])).toEqual([]);
  });
});
