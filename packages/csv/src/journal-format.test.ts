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

describe('what a journal tail is taken for', () => {
  const first = recordOf([batches[0]!]);
  const second = recordOf([batches[2]!]);
  const ascii = (text: string) => Buffer.from(text, 'latin1');
  const zeros = (count: number) => Buffer.alloc(count);
  /** The kind of tail after one intact record. */
  const kindAfter = (...tail: Uint8Array[]) => {
    const scanned = scanRecords(Buffer.concat([journalHeader, first, ...tail]), start);
    expect(scanned.batches).toEqual([batches[0]]);
    return scanned.tail?.kind;
  };
  // The second record with its stated length changed (8 hex digits at its start).
  const withLength = (length: number) =>
    Buffer.concat([ascii(length.toString(16).padStart(8, '0')), Buffer.from(second).subarray(8)]);

  it('a head stating more bytes than follow, with a whole line after it: damaged, not torn', () => {
    expect(kindAfter(withLength(second.length + 100))).toBe('damaged');
  });

  it('a record of exactly its stated length whose last byte is not the line break: damaged', () => {
    const broken = Buffer.from(second);
    broken[broken.length - 1] = 0x78;
    expect(kindAfter(broken)).toBe('damaged');
  });

  it('bytes that cannot start a record head: damaged, with or without zeros after them', () => {
    expect(kindAfter(ascii('zz'))).toBe('damaged');
    expect(kindAfter(ascii('zz'), zeros(40))).toBe('damaged');
    // The 9th byte of a head is a space.
    expect(kindAfter(ascii('0000000ax'))).toBe('damaged');
  });

  it('a length in full then zeros: torn only when the zeros end exactly where that record would', () => {
    // Stated payload 0x0a: the record is 18 + 10 + 1 = 29 bytes, 8 of them the digits.
    expect(kindAfter(ascii('0000000a'), zeros(21))).toBe('torn');
    expect(kindAfter(ascii('0000000a'), zeros(20))).toBe('damaged');
    expect(kindAfter(ascii('0000000a'), zeros(22))).toBe('damaged');
  });

  it('part of a length then zeros: zeroed when some record could be that long, damaged when none could', () => {
    // '000' allows payloads of 0 to 0xfffff bytes; '001' needs at least 0x100000 of them.
    expect(kindAfter(ascii('000'), zeros(50))).toBe('zeroed');
    expect(kindAfter(ascii('001'), zeros(50))).toBe('damaged');
    // Nothing but zeros, fewer than the smallest record (19 bytes): damaged.
    expect(kindAfter(zeros(10))).toBe('damaged');
    expect(kindAfter(zeros(40))).toBe('zeroed');
  });
});
