import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { HintWriter, readHintFile } from './hint-file.js';

const build = () => {
  const writer = new HintWriter(7);
  writer.add(
    { flags: 2, sequence: 2 ** 35, timestamp: 123, offset: 16, keyLength: 3, valueLength: 9 },
    Buffer.from('abc'),
  );
  writer.add({ flags: 1, sequence: 9, timestamp: 456, offset: 60, keyLength: 2, valueLength: 0 }, Buffer.from('é'));
  return writer.finish();
};

describe('hint files', () => {
  it('round-trips every entry', () => {
    const seen: unknown[] = [];
    expect(readHintFile(build(), 7, (entry, key) => seen.push([key, { ...entry }]))).toBeUndefined();
    expect(seen).toEqual([
      ['abc', { flags: 2, sequence: 2 ** 35, timestamp: 123, offset: 16, keyLength: 3, valueLength: 9 }],
      ['é', { flags: 1, sequence: 9, timestamp: 456, offset: 60, keyLength: 2, valueLength: 0 }],
    ]);
  });

  it('rejects a damaged, truncated or misplaced hint file without reporting any entry', () => {
    const visit = () => {
      throw new Error('no entry may be reported');
    };
    const damaged = build();
    damaged[30] = damaged[30]! ^ 1;
    expect(readHintFile(damaged, 7, visit)).toBe('hint file checksum mismatch');
    expect(readHintFile(build().subarray(0, 40), 7, visit)).toBeDefined();
    expect(readHintFile(build(), 8, visit)).toBe('hint file belongs to another data file');
  });
});

/** A hint file's bytes after `change`, with its checksum made right again: only the check under test can refuse it. */
function resealed(bytes: Buffer, change: (bytes: Buffer) => void): Buffer {
  const copy = Buffer.from(bytes);
  change(copy);
  const footerAt = copy.length - 8;
  copy.writeUInt32LE(crc32c(copy.subarray(0, footerAt + 4)), footerAt + 4);
  return copy;
}

describe('hint file checks under a valid checksum', () => {
  const noEntry = () => {
    throw new Error('no entry may be reported');
  };

  it('a hint file with no entries is valid and reports none', () => {
    const empty = new HintWriter(3).finish();
    expect(empty.length).toBe(24);
    expect(readHintFile(empty, 3, noEntry)).toBeUndefined();
    expect(readHintFile(empty.subarray(0, 23), 3, noEntry)).toBe('hint file is too short');
  });

  it('an entry with an empty key may end exactly at the footer', () => {
    const writer = new HintWriter(4);
    writer.add({ flags: 0, sequence: 1, timestamp: 2, offset: 16, keyLength: 1, valueLength: 1 }, Buffer.from('a'));
    writer.add({ flags: 0, sequence: 3, timestamp: 4, offset: 50, keyLength: 0, valueLength: 5 }, Buffer.alloc(0));
    const keys: string[] = [];
    expect(readHintFile(writer.finish(), 4, (_entry, key) => keys.push(key))).toBeUndefined();
    expect(keys).toEqual(['a', '']);
  });

  it('refuses another magic, another format version, and an entry count that does not match the entries', () => {
    const valid = build();
    const footerAt = valid.length - 8;
    const count = valid.readUInt32LE(footerAt);
    expect(
      readHintFile(
        resealed(valid, (bytes) => bytes.write('STOWHINX', 0, 'latin1')),
        7,
        noEntry,
      ),
    ).toBe('not a hint file (bad magic)');
    expect(
      readHintFile(
        resealed(valid, (bytes) => bytes.writeUInt16LE(2, 8)),
        7,
        noEntry,
      ),
    ).toBe('unsupported hint format version');
    const seen: string[] = [];
    const tooMany = resealed(valid, (bytes) => bytes.writeUInt32LE(count + 1, footerAt));
    expect(readHintFile(tooMany, 7, (_entry, key) => seen.push(key))).toBe('hint file entries run past its end');
    const tooFew = resealed(valid, (bytes) => bytes.writeUInt32LE(count - 1, footerAt));
    expect(readHintFile(tooFew, 7, (_entry, key) => seen.push(key))).toBe(
      'hint file entry count does not match its size',
    );
    // The entries read before the mismatch are reported: their checksum held.
    expect(seen).toEqual(['abc', 'é', 'abc']);
  });

  it('refuses a key length that runs past the end of the entries', () => {
    const valid = build();
    // The second entry starts after the 16-byte header and the first entry (36 + 3 bytes).
    const second = 16 + 36 + 3;
    const keyTooLong = resealed(valid, (bytes) => bytes.writeUInt32LE(3, second + 28));
    expect(readHintFile(keyTooLong, 7, () => undefined)).toBe('hint file entries run past its end');
  });
});
