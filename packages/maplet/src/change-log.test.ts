/**
 * The change log's bytes, as the module comment writes them down, and how a scan reads
 * them back: every intact record is replayed in order, a torn tail is cut (never an
 * acknowledged record), and damage followed by an intact record is CORRUPTION at the
 * damaged record's offset.
 */
import { StowageError } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import {
  CLEAR,
  DELETE,
  encodeLogHeader,
  encodeRecord,
  INSERT,
  LOG_HEADER_BYTES,
  type LogRecord,
  RECORD_BYTES,
  type RecordType,
  scanLog,
} from './change-log.js';

const records: LogRecord[] = [
  { type: INSERT, hi: 0xfedcba98, lo: 0x01234567, value: 0xffffffff },
  { type: DELETE, hi: 1, lo: 2, value: 3 },
  { type: CLEAR, hi: 0, lo: 0, value: 0 },
  { type: INSERT, hi: 0x80000000, lo: 0x7fffffff, value: 42 },
];

/** A log file: header of `epoch`, then `list` encoded back to back. */
function logOf(epoch: number, list: readonly LogRecord[]): Uint8Array {
  const bytes = new Uint8Array(LOG_HEADER_BYTES + list.length * RECORD_BYTES);
  bytes.set(encodeLogHeader(epoch), 0);
  list.forEach((record, i) => {
    encodeRecord(bytes, LOG_HEADER_BYTES + i * RECORD_BYTES, record.type, record.hi, record.lo, record.value);
  });
  return bytes;
}

function corruptionOf(run: () => unknown): StowageError {
  try {
    run();
  } catch (error) {
    if (StowageError.is(error, 'CORRUPTION')) return error;
    throw error;
  }
  throw new Error('no CORRUPTION');
}

describe('change log layout', () => {
  it('header: magic, u32 version 1, u32 epoch, CRC32C of those 16 bytes', () => {
    const header = encodeLogHeader(0x01020304);
    const view = new DataView(header.buffer);
    expect(header.length).toBe(20);
    expect(Buffer.from(header.subarray(0, 8)).toString('latin1')).toBe('STWMPLOG');
    expect(view.getUint32(8, true)).toBe(1);
    expect(view.getUint32(12, true)).toBe(0x01020304);
    expect(view.getUint32(16, true)).toBe(crc32c(header.subarray(0, 16)));
  });

  it('record: payload length 13, CRC32C of the payload, type, hash hi, hash lo, value, little-endian, at its offset', () => {
    const target = new Uint8Array(3 + RECORD_BYTES + 2).fill(0xee);
    encodeRecord(target, 3, DELETE, 0x11223344, 0x55667788, 0x99aabbcc);
    const view = new DataView(target.buffer, 3);
    expect(RECORD_BYTES).toBe(21);
    expect(view.getUint32(0, true)).toBe(13);
    expect(view.getUint32(4, true)).toBe(crc32c(target.subarray(3 + 8, 3 + 21)));
    expect(view.getUint8(8)).toBe(DELETE);
    expect(view.getUint32(9, true)).toBe(0x11223344);
    expect(view.getUint32(13, true)).toBe(0x55667788);
    expect(view.getUint32(17, true)).toBe(0x99aabbcc);
    // Nothing outside the record is touched.
    expect([...target.subarray(0, 3), ...target.subarray(3 + 21)]).toEqual([0xee, 0xee, 0xee, 0xee, 0xee]);
  });
});

describe('change log scan', () => {
  it('replays every record in order with its epoch, and the whole file is valid', () => {
    const bytes = logOf(9, records);
    expect(scanLog(bytes, 'log')).toEqual({ epoch: 9, records, validLength: bytes.length });
    expect(scanLog(logOf(3, []), 'log')).toEqual({ epoch: 3, records: [], validLength: LOG_HEADER_BYTES });
  });

  it('reads a log that starts inside a larger buffer', () => {
    const bytes = logOf(5, records);
    const shifted = new Uint8Array(bytes.length + 7);
    shifted.set(bytes, 7);
    expect(scanLog(shifted.subarray(7), 'log')).toEqual({ epoch: 5, records, validLength: bytes.length });
  });

  it('cuts a torn tail: a partial record, or bad records running to the end of the file', () => {
    const bytes = logOf(1, records);
    const partial = bytes.subarray(0, bytes.length - 1);
    expect(scanLog(partial, 'log')).toEqual({
      epoch: 1,
      records: records.slice(0, 3),
      validLength: LOG_HEADER_BYTES + 3 * RECORD_BYTES,
    });
    const lastTwoBad = bytes.slice();
    lastTwoBad[LOG_HEADER_BYTES + 2 * RECORD_BYTES + 10]! ^= 1;
    lastTwoBad[LOG_HEADER_BYTES + 3 * RECORD_BYTES + 10]! ^= 1;
    expect(scanLog(lastTwoBad, 'log')).toMatchObject({
      records: records.slice(0, 2),
      validLength: LOG_HEADER_BYTES + 2 * RECORD_BYTES,
    });
  });

  it('refuses damage followed by an intact record, naming the file and the first damaged record', () => {
    const at = LOG_HEADER_BYTES + RECORD_BYTES;
    const cases: [string, (bytes: Uint8Array, view: DataView) => void][] = [
      ['a wrong payload length', (_, view) => view.setUint32(at, 14, true)],
      ['a wrong checksum', (_, view) => view.setUint32(at + 4, view.getUint32(at + 4, true) ^ 1, true)],
      ['a flipped payload byte', (bytes) => (bytes[at + 20]! ^= 0x80)],
    ];
    for (const [what, damage] of cases) {
      const bytes = logOf(1, records);
      damage(bytes, new DataView(bytes.buffer));
      const error = corruptionOf(() => scanLog(bytes, 'the-log'));
      expect(error.file, what).toBe('the-log');
      expect(error.offset, what).toBe(at);
    }
  });

  it('names the first of several damaged records that an intact one follows', () => {
    const bytes = logOf(1, records);
    bytes[LOG_HEADER_BYTES + 10]! ^= 1;
    bytes[LOG_HEADER_BYTES + RECORD_BYTES + 10]! ^= 1;
    bytes[LOG_HEADER_BYTES + 2 * RECORD_BYTES + 10]! ^= 1;
    expect(corruptionOf(() => scanLog(bytes, 'log')).offset).toBe(LOG_HEADER_BYTES);
  });

  it('refuses a record of an unknown type even with a good checksum', () => {
    for (const type of [0, 4, 255]) {
      const bytes = logOf(1, records);
      encodeRecord(bytes, LOG_HEADER_BYTES, type as RecordType, 1, 2, 3);
      expect(corruptionOf(() => scanLog(bytes, 'log')).offset, String(type)).toBe(LOG_HEADER_BYTES);
      // As the last record it is a torn tail instead.
      const alone = logOf(1, records.slice(0, 1));
      encodeRecord(alone, LOG_HEADER_BYTES, type as RecordType, 1, 2, 3);
      expect(scanLog(alone, 'log').records).toEqual([]);
    }
  });

  it('refuses a header that is short, foreign, damaged or of another version', () => {
    const good = logOf(1, records);
    expect(corruptionOf(() => scanLog(good.subarray(0, LOG_HEADER_BYTES - 1), 'log')).offset).toBe(0);
    for (const i of [0, 7]) {
      const foreign = good.slice();
      foreign[i]! ^= 0x20;
      // Re-sealed: the magic alone is wrong.
      new DataView(foreign.buffer).setUint32(16, crc32c(foreign.subarray(0, 16)), true);
      expect(corruptionOf(() => scanLog(foreign, 'log')).offset, `magic byte ${i}`).toBe(0);
    }
    const damaged = good.slice();
    damaged[15]! ^= 1; // the epoch's last byte, covered by the checksum
    expect(corruptionOf(() => scanLog(damaged, 'log')).offset).toBe(16);
    const newer = good.slice();
    const view = new DataView(newer.buffer);
    view.setUint32(8, 2, true);
    view.setUint32(16, crc32c(newer.subarray(0, 16)), true);
    expect(corruptionOf(() => scanLog(newer, 'log')).offset).toBe(8);
    // A header alone, exactly 20 bytes, is an empty log.
    expect(scanLog(good.subarray(0, LOG_HEADER_BYTES), 'log').records).toEqual([]);
  });
});
