import { describe, expect, it } from 'vitest';
import { HintWriter, readHintFile } from './hint-file.js';

describe('hint files', () => {
  const build = () => {
    const writer = new HintWriter(7);
    writer.add(
      { flags: 2, sequence: 2 ** 35, timestamp: 123, offset: 16, keyLength: 3, valueLength: 9 },
      Buffer.from('abc'),
    );
    writer.add({ flags: 1, sequence: 9, timestamp: 456, offset: 60, keyLength: 2, valueLength: 0 }, Buffer.from('é'));
    return writer.finish();
  };

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
