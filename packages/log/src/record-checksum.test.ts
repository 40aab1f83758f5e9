import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { recordChecksum } from './record-format.js';

describe('recordChecksum (the in-place CRC32C of records)', () => {
  it('gives the standard CRC32C check value of "123456789"', () => {
    const bytes = Buffer.from('xx123456789yy', 'latin1');
    expect(recordChecksum(bytes, 2, 11)).toBe(0xe3069283);
  });

  it('equals @stowage/fs crc32c of the same range for every length and start, so records on disk stay readable', () => {
    const bytes = Buffer.alloc(300);
    let seed = 7;
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= 200; end++) {
        expect(recordChecksum(bytes, start, end)).toBe(crc32c(bytes.subarray(start, end)));
      }
    }
  });

  it('changes when any one bit of the range flips, and not for bytes outside it', () => {
    const bytes = Buffer.from('a record header, its key and its value', 'utf8');
    const sum = recordChecksum(bytes, 4, 30);
    for (let i = 4; i < 30; i++) {
      for (let bit = 0; bit < 8; bit++) {
        bytes[i]! ^= 1 << bit;
        expect(recordChecksum(bytes, 4, 30)).not.toBe(sum);
        bytes[i]! ^= 1 << bit;
      }
    }
    bytes[3]! ^= 0xff;
    bytes[30]! ^= 0xff;
    expect(recordChecksum(bytes, 4, 30)).toBe(sum);
  });
});
