/**
 * The WAL record layout as the README writes it down, and every way a record is refused:
 * a record that decodes is replayed as acknowledged writes, so anything short of a whole,
 * sealed, well-formed record must be refused, never half-read.
 */
import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './limits.js';
import { encodeFileHeader } from './segment-format.js';
import {
  decodeRecordAt,
  encodeRecord,
  MAX_RECORD_BYTES,
  WAL_HEADER_SIZE,
  WAL_MAGIC,
  WAL_VERSION,
} from './wal-format.js';
import { scanWal } from './wal-scan.js';

/** A new CRC over bytes 4..end of the record at `at`, so only the deliberate change is wrong. */
function seal(bytes: Buffer, at = 0): Buffer {
  const end = at + 8 + bytes.readUInt32LE(at + 4);
  bytes.writeUInt32LE(crc32c(bytes.subarray(at + 4, end)), at);
  return bytes;
}

/** A sealed record of `count` operations built by hand: kind, key and value lengths, then the bytes. */
function handMade(operations: { kind: number; key: Buffer; value: Buffer }[], trailing = 0): Buffer {
  const size = 12 + operations.reduce((sum, op) => sum + 9 + op.key.length + op.value.length, 0) + trailing;
  const bytes = Buffer.alloc(size);
  bytes.writeUInt32LE(size - 8, 4);
  bytes.writeUInt32LE(operations.length, 8);
  let at = 12;
  for (const { kind, key, value } of operations) {
    bytes[at] = kind;
    bytes.writeUInt32LE(key.length, at + 1);
    bytes.writeUInt32LE(value.length, at + 5);
    key.copy(bytes, at + 9);
    value.copy(bytes, at + 9 + key.length);
    at += 9 + key.length + value.length;
  }
  return seal(bytes);
}

describe('WAL record', () => {
  it('is CRC32C of bytes 4..end, body length, operation count, then kind, key length, value length, key, value', () => {
    const record = encodeRecord([
      { key: 'ké', value: 'vé' },
      { key: 'b', value: Uint8Array.of(9, 8, 7) },
      { key: 'gone', value: undefined },
    ]);
    expect(record.readUInt32LE(4)).toBe(record.length - 8);
    expect(record.readUInt32LE(0)).toBe(crc32c(record.subarray(4)));
    expect(record.readUInt32LE(8)).toBe(3);
    // 'ké' and 'vé' are 3 UTF-8 bytes each, not 2 code units.
    expect([record[12], record.readUInt32LE(13), record.readUInt32LE(17)]).toEqual([1, 3, 3]);
    expect(record.toString('utf8', 21, 27)).toBe('kévé');
    expect([record[27], record.readUInt32LE(28), record.readUInt32LE(32)]).toEqual([0, 1, 3]);
    expect([...record.subarray(36, 40)]).toEqual([0x62, 9, 8, 7]);
    expect([record[40], record.readUInt32LE(41), record.readUInt32LE(45)]).toEqual([2, 4, 0]);
    expect(record.toString('utf8', 49)).toBe('gone');
    expect(record.length).toBe(53);
  });

  it('decodes back to the same operations, strings, bytes and deletes told apart, at any offset', () => {
    const operations = [
      { key: 'ké', value: 'vé' },
      { key: 'b', value: Uint8Array.of(9, 8, 7) },
      { key: 'empty', value: '' },
      { key: 'gone', value: undefined },
    ];
    const record = encodeRecord(operations);
    const file = Buffer.concat([Buffer.alloc(5, 0xaa), record, Buffer.alloc(3, 0xbb)]);
    const decoded = decodeRecordAt(file, 5);
    const plain = (value: unknown) => (value instanceof Uint8Array ? [...value] : value);
    const found = typeof decoded === 'string' ? decoded : decoded.operations.map((op) => [op.key, plain(op.value)]);
    expect(found).toEqual(operations.map((op) => [op.key, plain(op.value)]));
    expect(typeof decoded === 'string' ? decoded : decoded.size).toBe(record.length);
    const bytesValue = (decoded as { operations: { value: unknown }[] }).operations[1]!.value;
    // A copy, not a view into the file buffer a later read reuses.
    expect(bytesValue).toBeInstanceOf(Uint8Array);
    expect((bytesValue as Uint8Array).buffer).not.toBe(file.buffer);
    expect(decodeRecordAt(encodeRecord([]), 0)).toEqual({ operations: [], size: 12 });
  });

  it('is refused when its header or body is cut short, its length is out of range or its checksum is wrong', () => {
    const record = encodeRecord([{ key: 'a', value: 'b' }]);
    expect(decodeRecordAt(record.subarray(0, 7), 0)).toBe('incomplete record header');
    expect(decodeRecordAt(record, record.length - 7)).toBe('incomplete record header');
    // A whole 8-byte header is read: what is missing then is the body.
    expect(decodeRecordAt(record.subarray(0, 8), 0)).toBe('record runs past the end of the file');
    expect(decodeRecordAt(record.subarray(0, record.length - 1), 0)).toBe('record runs past the end of the file');
    const short = Buffer.from(record);
    short.writeUInt32LE(3, 4); // a body shorter than its own operation count
    expect(decodeRecordAt(short, 0)).toBe('invalid record length');
    const huge = Buffer.from(record);
    huge.writeUInt32LE(MAX_RECORD_BYTES + 1, 4);
    expect(decodeRecordAt(huge, 0)).toBe('invalid record length');
    const flipped = Buffer.from(record);
    flipped[record.length - 1]! ^= 1; // the last byte of the value, covered by the checksum
    expect(decodeRecordAt(flipped, 0)).toBe('record checksum mismatch');
  });

  it('with a well-sealed body that does not add up is refused, not half-read', () => {
    const key = Buffer.from('key');
    const value = Buffer.from('value');
    // Sound as a control: the hand-made layout is the encoder's.
    expect(decodeRecordAt(handMade([{ kind: 1, key, value }]), 0)).toEqual({
      operations: [{ key: 'key', value: 'value' }],
      size: 29,
    });
    expect(decodeRecordAt(handMade([{ kind: 3, key, value }]), 0)).toBe('invalid operation');
    expect(decodeRecordAt(handMade([{ kind: 1, key, value }], 2), 0)).toBe('record has trailing bytes');
    // A count claiming one more operation than the body holds.
    const extra = handMade([{ kind: 1, key, value }]);
    extra.writeUInt32LE(2, 8);
    expect(decodeRecordAt(seal(extra), 0)).toBe('operation runs past its record');
    // A key length reaching one byte past the body.
    const long = handMade([{ kind: 1, key, value }]);
    long.writeUInt32LE(key.length + value.length + 1, 13);
    long.writeUInt32LE(0, 17);
    expect(decodeRecordAt(seal(long), 0)).toBe('invalid operation');
    // Key and value lengths that fill the body exactly are fine.
    const exact = handMade([{ kind: 0, key, value }]);
    exact.writeUInt32LE(key.length + value.length, 13);
    exact.writeUInt32LE(0, 17);
    const decoded = decodeRecordAt(seal(exact), 0);
    expect(
      typeof decoded === 'string' ? decoded : decoded.operations.map(({ key, value }) => [key, value?.length]),
    ).toEqual([['keyvalue', 0]]);
  });

  it('accepts a value of exactly the largest size and refuses one byte more', () => {
    // One operation: a 0-byte key and MAX_VALUE_BYTES + 1 value bytes; then the same record one byte shorter.
    const size = 12 + 9 + MAX_VALUE_BYTES + 1;
    const bytes = Buffer.alloc(size);
    bytes.writeUInt32LE(size - 8, 4);
    bytes.writeUInt32LE(1, 8);
    bytes[12] = 0;
    bytes.writeUInt32LE(MAX_VALUE_BYTES + 1, 17);
    expect(decodeRecordAt(seal(bytes), 0)).toBe('invalid operation');
    const largest = bytes.subarray(0, size - 1);
    largest.writeUInt32LE(size - 9, 4);
    largest.writeUInt32LE(MAX_VALUE_BYTES, 17);
    const decoded = decodeRecordAt(seal(largest), 0);
    expect(typeof decoded === 'string' ? decoded : (decoded.operations[0]!.value as Uint8Array).length).toBe(
      MAX_VALUE_BYTES,
    );
  });

  it('tells a header claiming the largest body (cut short) from one claiming more (invalid)', () => {
    const header = Buffer.alloc(12);
    header.writeUInt32LE(MAX_RECORD_BYTES, 4);
    expect(decodeRecordAt(header, 0)).toBe('record runs past the end of the file');
    header.writeUInt32LE(MAX_RECORD_BYTES + 1, 4);
    expect(decodeRecordAt(header, 0)).toBe('invalid record length');
  });

  it('refuses a value length reaching past its record, with the key length in range', () => {
    const bad = handMade([{ kind: 1, key: Buffer.from('key'), value: Buffer.from('value') }]);
    bad.writeUInt32LE(6, 17);
    expect(decodeRecordAt(seal(bad), 0)).toBe('invalid operation');
  });

  it('accepts an operation whose header ends exactly at the end of its record', () => {
    const decoded = decodeRecordAt(handMade([{ kind: 2, key: Buffer.alloc(0), value: Buffer.alloc(0) }]), 0);
    expect(decoded).toEqual({ operations: [{ key: '', value: undefined }], size: 21 });
  });

  it('accepts a key of exactly the largest size and refuses one byte more', () => {
    const largest = Buffer.alloc(MAX_KEY_BYTES, 0x6b);
    const ok = decodeRecordAt(handMade([{ kind: 2, key: largest, value: Buffer.alloc(0) }]), 0);
    expect(typeof ok === 'string' ? ok : ok.operations[0]!.key.length).toBe(MAX_KEY_BYTES);
    const over = Buffer.alloc(MAX_KEY_BYTES + 1, 0x6b);
    expect(decodeRecordAt(handMade([{ kind: 2, key: over, value: Buffer.alloc(0) }]), 0)).toBe('invalid operation');
  });
});

describe('WAL scan', () => {
  const header = encodeFileHeader(WAL_MAGIC, WAL_VERSION);
  const records = [0, 1, 2].map((n) => encodeRecord([{ key: `k${n}`, value: `v${n}` }]));
  const whole = Buffer.concat([header, ...records]);
  const replay = (bytes: Buffer) => {
    const keys: string[] = [];
    const scan = scanWal(bytes, (operations) => keys.push(...operations.map((op) => op.key)));
    return { keys, ...scan };
  };

  it('replays every record of an intact file, in order, and ends at its end', () => {
    expect(replay(whole)).toEqual({
      keys: ['k0', 'k1', 'k2'],
      intactEnd: whole.length,
      damage: undefined,
      damageInMiddle: false,
      headerless: false,
    });
  });

  it('holds nothing when shorter than its header, and refuses a damaged header as damage, not a torn tail', () => {
    expect(replay(header.subarray(0, WAL_HEADER_SIZE - 1))).toEqual({
      keys: [],
      intactEnd: 0,
      damage: undefined,
      damageInMiddle: false,
      headerless: true,
    });
    const otherVersion = Buffer.concat([encodeFileHeader(WAL_MAGIC, WAL_VERSION + 1), ...records]);
    const scan = replay(otherVersion);
    expect(scan.keys).toEqual([]);
    expect(scan.intactEnd).toBe(0);
    expect(scan.damage?.offset).toBe(0);
    expect(scan.damage?.reason).toMatch(/version/);
    expect(scan.damageInMiddle).toBe(true);
    expect(scan.headerless).toBe(false);
    // A header alone is an empty log, not a damaged one.
    expect(replay(header)).toMatchObject({ keys: [], intactEnd: WAL_HEADER_SIZE, damage: undefined });
  });

  it('cuts a torn last record: everything before it replays, the damage is at its start', () => {
    const torn = whole.subarray(0, whole.length - 1);
    const lastStart = WAL_HEADER_SIZE + records[0]!.length + records[1]!.length;
    expect(replay(torn)).toEqual({
      keys: ['k0', 'k1'],
      intactEnd: lastStart,
      damage: { offset: lastStart, reason: 'record runs past the end of the file' },
      damageInMiddle: false,
      headerless: false,
    });
  });

  it('looks for intact records only after the damaged one: a record overlapping the one before does not count', () => {
    // B is an intact record; A's last byte is B's first, so B also starts inside A, one byte before the damage.
    const b = encodeRecord([{ key: 'b', value: 'after' }]);
    const a = encodeRecord([{ key: 'a', value: Uint8Array.of(b[0]!) }]);
    const bytes = Buffer.concat([header, a, b.subarray(1)]);
    const damageAt = WAL_HEADER_SIZE + a.length;
    expect(typeof decodeRecordAt(bytes, damageAt - 1)).not.toBe('string');
    expect(replay(bytes)).toMatchObject({
      keys: ['a'],
      intactEnd: damageAt,
      damage: { offset: damageAt },
      damageInMiddle: false,
    });
  });

  it('tells damage followed by an intact record from a torn tail', () => {
    const damaged = Buffer.from(whole);
    damaged[WAL_HEADER_SIZE + records[0]!.length + 10]! ^= 0xff; // inside the second record
    const scan = replay(damaged);
    expect(scan.keys).toEqual(['k0']);
    expect(scan.intactEnd).toBe(WAL_HEADER_SIZE + records[0]!.length);
    expect(scan.damage).toEqual({ offset: WAL_HEADER_SIZE + records[0]!.length, reason: 'record checksum mismatch' });
    expect(scan.damageInMiddle).toBe(true);
    // The last record damaged: nothing intact follows, so it is a torn tail.
    const tail = Buffer.from(whole);
    tail[whole.length - 1]! ^= 0xff;
    expect(replay(tail).damageInMiddle).toBe(false);
    // An intact record that ends exactly at the end of the file still counts as following.
    const lastIntact = Buffer.concat([header, records[0]!, Buffer.from([1, 2, 3]), records[1]!]);
    expect(replay(lastIntact).damageInMiddle).toBe(true);
  });
});
