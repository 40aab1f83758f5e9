/**
 * Guarantee: a data file is a log file only when its header starts with the magic
 * `STOWLOG\0`. A header with any other first eight bytes is refused as not a log file even
 * when its checksum is right (a foreign format using the same layout and CRC).
 */
import { crc32c } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { decodeFileHeader, encodeFileHeader } from './record-format.js';

describe('the magic of a data file header', () => {
  it.each([0, 3, 7])('refuses a header whose magic differs at byte %i, checksum made right', (at) => {
    const header = encodeFileHeader('log');
    header[at] = header[at]! ^ 0x20;
    header.writeUInt32LE(crc32c(header.subarray(0, 12)), 12);
    expect(decodeFileHeader(header)).toEqual({ invalid: expect.stringContaining('magic') });
  });

  it('reads the kind of a header at an offset inside a larger buffer', () => {
    const bytes = Buffer.concat([Buffer.from('xyz'), encodeFileHeader('merged')]);
    expect(decodeFileHeader(bytes.subarray(3))).toBe('merged');
  });
});
