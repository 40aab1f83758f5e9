/**
 * The record walker every reader shares (recovery, verify, repair, versions, merge): each
 * reason a record is refused, where the committed part of a file ends, and where a scan
 * may resume after damage, at the edges (a record that exactly fills the rest of the
 * buffer, a transaction whose closing record ends the file).
 */
import { describe, expect, it } from 'vitest';
import { checkRecordAt, findNextRecord, findResumePoint, recordKey, scanGroups } from './file-scan.js';
import { FLAG_TXN_CONT, FLAG_TXN_MORE, RECORD_HEADER_SIZE, writeRecord } from './record-format.js';

function record(flags: number, sequence: number, key: string, value: string): Buffer {
  const keyBytes = Buffer.byteLength(key);
  const valueBytes = Buffer.byteLength(value);
  const buffer = Buffer.alloc(RECORD_HEADER_SIZE + keyBytes + valueBytes);
  writeRecord(buffer, 0, flags, sequence, 1_700_000_000_000, key, keyBytes, value, valueBytes);
  return buffer;
}

const single = (sequence: number, key: string, value: string) => record(0, sequence, key, value);
const txn = (first: number) =>
  Buffer.concat([
    record(FLAG_TXN_MORE, first, 'ta', '1'),
    record(FLAG_TXN_MORE | FLAG_TXN_CONT, first + 1, 'tb', '2'),
    record(FLAG_TXN_CONT, first + 2, 'tc', '3'),
  ]);

describe('checkRecordAt', () => {
  it('names each reason a record is refused, and gives the header of an intact one', () => {
    const intact = single(1, 'key', 'value');
    expect(checkRecordAt(intact, 0)).toMatchObject({ sequence: 1, keyLength: 3, valueLength: 5, size: intact.length });
    expect(checkRecordAt(intact.subarray(0, RECORD_HEADER_SIZE - 1), 0)).toBe('incomplete record header');
    const badFlags = Buffer.from(intact);
    badFlags[4] = 0x80;
    expect(checkRecordAt(badFlags, 0)).toBe('invalid record header');
    expect(checkRecordAt(intact.subarray(0, intact.length - 1), 0)).toBe('record runs past the end of the file');
    const flipped = Buffer.from(intact);
    flipped[intact.length - 1] = flipped[intact.length - 1]! ^ 1;
    expect(checkRecordAt(flipped, 0)).toBe('record checksum mismatch');
  });

  it('a record with an empty key and value is exactly a header long, and is read at the very end of a buffer', () => {
    const empty = single(7, '', '');
    expect(empty.length).toBe(RECORD_HEADER_SIZE);
    const bytes = Buffer.concat([single(1, 'a', 'b'), empty]);
    const at = bytes.length - RECORD_HEADER_SIZE;
    expect(checkRecordAt(bytes, at)).toMatchObject({ sequence: 7, size: RECORD_HEADER_SIZE });
    expect(findNextRecord(bytes, at)).toBe(at);
    expect(findNextRecord(bytes, at + 1)).toBe(-1);
  });
});

describe('scanGroups', () => {
  it('visits each committed group once, from the start offset, and says where the committed part ends', () => {
    const prefix = Buffer.alloc(5, 0xaa);
    const first = single(1, 'a', '1');
    const bytes = Buffer.concat([prefix, first, txn(2), single(5, 'b', '2')]);
    const groups: number[][] = [];
    const result = scanGroups(bytes, prefix.length, (group) => groups.push(group.map((item) => item.sequence)));
    expect(groups).toEqual([[1], [2, 3, 4], [5]]);
    expect(result).toEqual({ committedEnd: bytes.length, openGroupAt: undefined, damage: undefined });
  });

  it('an unclosed transaction at the end is reported where it starts; the committed part ends before it', () => {
    const head = Buffer.concat([single(1, 'a', '1'), single(2, 'b', '2')]);
    const open = txn(3).subarray(0, 2 * (RECORD_HEADER_SIZE + 3));
    const result = scanGroups(Buffer.concat([head, open]), 0, () => undefined);
    expect(result).toEqual({ committedEnd: head.length, openGroupAt: head.length, damage: undefined });
  });

  it('damage stops the scan: the committed part ends at the last group before it', () => {
    const head = single(1, 'a', '1');
    const damaged = single(2, 'b', '2');
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 1;
    const seen: number[] = [];
    const result = scanGroups(Buffer.concat([head, damaged, single(3, 'c', '3')]), 0, (group) =>
      seen.push(group[0]!.sequence),
    );
    expect(seen).toEqual([1]);
    expect(result).toEqual({
      committedEnd: head.length,
      openGroupAt: undefined,
      damage: { offset: head.length, reason: 'record checksum mismatch' },
    });
  });
});

describe('resuming after damage', () => {
  it('findNextRecord skips to the next intact record, and finds none in garbage', () => {
    const garbage = Buffer.alloc(40, 0x55);
    const next = single(9, 'k', 'v');
    expect(findNextRecord(Buffer.concat([garbage, next]), 0)).toBe(garbage.length);
    expect(findNextRecord(garbage, 0)).toBe(-1);
  });

  it('findResumePoint skips the rest of a transaction whose start was lost, and is -1 when that rest ends the file', () => {
    const lostStart = txn(1);
    lostStart[RECORD_HEADER_SIZE - 1] = lostStart[RECORD_HEADER_SIZE - 1]! ^ 1; // the first record's key length
    const after = single(4, 'z', '9');
    const withAfter = Buffer.concat([lostStart, after]);
    expect(findResumePoint(withAfter, 1)).toBe(lostStart.length);
    expect(findResumePoint(lostStart, 1)).toBe(-1);
    // A record that starts a transaction is a place to resume.
    expect(findResumePoint(Buffer.concat([Buffer.alloc(3), txn(1)]), 0)).toBe(3);
  });

  it('findResumePoint skips only the transaction whose start was lost: a continuation after its closing record is where to resume', () => {
    const lostStart = txn(1);
    lostStart[RECORD_HEADER_SIZE - 1] = lostStart[RECORD_HEADER_SIZE - 1]! ^ 1;
    // Another orphaned tail right behind it: resuming there lets the scan report it as damage of its own.
    const orphan = txn(1).subarray(RECORD_HEADER_SIZE + 3);
    const bytes = Buffer.concat([lostStart, orphan]);
    expect(findResumePoint(bytes, 1)).toBe(lostStart.length);
    expect(scanGroups(bytes, lostStart.length, () => undefined).damage).toEqual({
      offset: lostStart.length,
      reason: 'transaction record without its start',
    });
  });

  it('findResumePoint keeps looking past damage met while skipping a transaction', () => {
    const rest = Buffer.concat([
      record(FLAG_TXN_MORE | FLAG_TXN_CONT, 2, 'tb', '2'),
      record(FLAG_TXN_CONT, 3, 'tc', '3'),
    ]);
    const broken = Buffer.from(rest);
    broken[rest.length - 1] = broken[rest.length - 1]! ^ 1; // the closing record is damaged too
    const after = single(4, 'z', '9');
    expect(findResumePoint(Buffer.concat([broken, after]), 0)).toBe(broken.length);
  });

  it('recordKey decodes the key of a scanned record in UTF-8', () => {
    const bytes = Buffer.concat([Buffer.alloc(3), single(1, 'ключ', 'v')]);
    const keys: string[] = [];
    scanGroups(bytes, 3, (group) => keys.push(recordKey(bytes, group[0]!)));
    expect(keys).toEqual(['ключ']);
  });
});
