/**
 * Guarantee: a journal record counts only when its checksum matches and its payload is a
 * JSON array of well-formed batches. A record whose checksum matches a payload that is not
 * JSON, not an array, or holds a malformed operation is never replayed: the scan stops
 * before it and reports it, with the batches before it intact.
 */
import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { encodeBatch } from './journal-codec.js';
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
