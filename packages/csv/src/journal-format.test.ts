import type { BatchOperation } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { encodeBatch } from './journal-codec.js';
import { encodeRecord, journalHeader, scanRecords } from './journal-format.js';

const batches: BatchOperation[][] = [
  [{ type: 'set', key: 'a', value: '{"json":"text"}' }],
  [
    { type: 'set', key: 'line\nbreak', value: new Uint8Array([0, 10, 13, 255]) },
    { type: 'delete', key: 'a' },
    { type: 'set', key: '=formula', value: "'quoted", expiresAt: 1_700_000_000_000 },
  ],
  [{ type: 'delete', key: '\u0000' }],
];

const start = journalHeader.length;
const recordOf = (group: readonly BatchOperation[][]) => encodeRecord(group.map((batch) => encodeBatch(batch)));

/** A journal holding one record per group. */
function journalOf(groups: readonly BatchOperation[][][]): Buffer {
  return Buffer.concat([journalHeader, ...groups.map(recordOf)]);
}

/** Many small records, as separately fsynced sets leave them. */
function manyRecords(count: number): { data: Buffer; starts: number[] } {
  const starts: number[] = [];
  const parts: Uint8Array[] = [journalHeader];
  let at = start;
  for (let i = 0; i < count; i++) {
    const record = recordOf([[{ type: 'set', key: `key-${i}`, value: `{"n":${i},"text":"value ${i}"}` }]]);
    starts.push(at);
    parts.push(record);
    at += record.length;
  }
  return { data: Buffer.concat(parts), starts };
}

describe('journal records', () => {
  it('read back every batch exactly, one record per group of batches', () => {
    const data = journalOf([[batches[0]!], [batches[1]!, batches[2]!]]);
    expect(scanRecords(data, start)).toEqual({ batches, validLength: data.length, tail: undefined });
  });

  it('cut a last record torn at every byte, with the rest missing or zeros, as torn', () => {
    const whole = journalOf([[batches[0]!], [batches[1]!, batches[2]!]]);
    const lastStart = start + recordOf([batches[0]!]).length;
    for (let cut = lastStart + 1; cut < whole.length; cut++) {
      const missing = scanRecords(whole.subarray(0, cut), start);
      expect(missing.batches).toEqual([batches[0]]);
      expect(missing.validLength).toBe(lastStart);
      expect(missing.tail?.kind).toBe('torn');
      const zeroed = Buffer.from(whole);
      zeroed.fill(0, cut);
      const filled = scanRecords(zeroed, start);
      expect(filled.batches).toEqual([batches[0]]);
      // Cut inside the length digits, zeros cannot be told from zeroed records: a warning, never silence.
      expect(filled.tail?.kind).toBe(cut - lastStart < 8 ? 'zeroed' : 'torn');
    }
  });

  it('report a flipped byte in the last record as damage, not a torn write', () => {
    const data = journalOf([[batches[0]!], [batches[1]!]]);
    data[data.length - 5] = data[data.length - 5]! ^ 0x01;
    const scanned = scanRecords(data, start);
    expect(scanned.batches).toEqual([batches[0]]);
    expect(scanned.tail).toMatchObject({ kind: 'damaged', reason: 'record checksum mismatch', intactAfter: 0 });
  });

  it('report a damaged record with intact records after it as damage, with how many follow', () => {
    const data = journalOf([[batches[0]!], [batches[1]!], [batches[2]!]]);
    data[start + 20] = data[start + 20]! ^ 0x20;
    const scanned = scanRecords(data, start);
    expect(scanned.batches).toEqual([]);
    expect(scanned.tail).toMatchObject({ kind: 'damaged', offset: start, intactAfter: 2 });
  });

  it('never take zeroed acknowledged records for a torn write: zeroing the last 4 KiB from any byte', () => {
    const { data, starts } = manyRecords(300);
    let damaged = 0;
    for (let zeroFrom = data.length - 4096; zeroFrom < data.length - 4096 + 200; zeroFrom++) {
      const zeroed = Buffer.from(data);
      zeroed.fill(0, zeroFrom);
      const scanned = scanRecords(zeroed, start);
      const firstHit = starts.filter((recordStart) => recordStart <= zeroFrom).at(-1)!;
      expect(scanned.validLength).toBe(firstHit);
      // Zeros starting in a record's length digits are at most a warning; never a silent cut.
      const kind = scanned.tail?.kind;
      expect(kind === 'damaged' || (kind === 'zeroed' && zeroFrom - firstHit < 8)).toBe(true);
      if (kind === 'damaged') damaged++;
    }
    expect(damaged).toBeGreaterThan(180);
  });

  it('read a journal of only its header as no batches', () => {
    expect(scanRecords(journalHeader, start)).toEqual({ batches: [], validLength: start, tail: undefined });
  });
});
