/**
 * Guarantees that mutation testing showed no test held (issue 14): the format's
 * refusals, recovery ordering data files by number, hint files really being used at
 * open, and a failed start of a new log file surfacing as an error.
 */
import { crc32c, type FileHandle, type FileSystem, nodeFileSystem } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './limits.js';
import { LogBackend } from './log-backend.js';
import {
  decodeFileHeader,
  encodeFileHeader,
  FILE_HEADER_SIZE,
  RECORD_HEADER_SIZE,
  readRecordHeader,
  writeRecord,
} from './record-format.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

/** A valid log file header with one field changed and its checksum made right again. */
function headerWith(change: (header: Buffer) => void): Buffer {
  const header = encodeFileHeader('log');
  change(header);
  header.writeUInt32LE(crc32c(header.subarray(0, 12)), 12);
  return header;
}

/** Counts the bytes read from each file. */
function readCountingFileSystem(): { fs: FileSystem; bytesRead: Map<string, number> } {
  const bytesRead = new Map<string, number>();
  const wrap = (handle: FileHandle): FileHandle => ({
    get path() {
      return handle.path;
    },
    read: (buffer, offset, length, position) => {
      const read = handle.read(buffer, offset, length, position);
      bytesRead.set(handle.path, (bytesRead.get(handle.path) ?? 0) + read);
      return read;
    },
    write: (data, position) => handle.write(data, position),
    append: (data) => handle.append(data),
    size: () => handle.size(),
    truncate: (size) => handle.truncate(size),
    sync: () => handle.sync(),
    close: () => handle.close(),
  });
  return { fs: { ...nodeFileSystem, open: (path, mode) => wrap(nodeFileSystem.open(path, mode)) }, bytesRead };
}

describe('record format refusals', () => {
  it('a file header of another format version or an unknown kind is refused, even with a valid checksum', () => {
    expect(decodeFileHeader(encodeFileHeader('merged'))).toBe('merged');
    expect(decodeFileHeader(headerWith((header) => header.writeUInt16LE(2, 8)))).toEqual({
      invalid: 'unsupported format version 2',
    });
    expect(decodeFileHeader(headerWith((header) => header.writeUInt8(7, 10)))).toEqual({
      invalid: 'unknown file kind 7',
    });
  });

  it('a record header claiming a key or value longer than the limits is refused', () => {
    const record = Buffer.alloc(RECORD_HEADER_SIZE + 2);
    writeRecord(record, 0, 0, 1, 0, 'k', 1, 'v', 1);
    expect(readRecordHeader(record, 0)?.size).toBe(RECORD_HEADER_SIZE + 2);
    const longKey = Buffer.from(record);
    longKey.writeUInt32LE(MAX_KEY_BYTES + 1, 24);
    expect(readRecordHeader(longKey, 0)).toBeUndefined();
    const atKeyLimit = Buffer.from(record);
    atKeyLimit.writeUInt32LE(MAX_KEY_BYTES, 24);
    expect(readRecordHeader(atKeyLimit, 0)?.keyLength).toBe(MAX_KEY_BYTES);
    const longValue = Buffer.from(record);
    longValue.writeUInt32LE(MAX_VALUE_BYTES + 1, 28);
    expect(readRecordHeader(longValue, 0)).toBeUndefined();
  });
});

describe('recovery', () => {
  it('orders data files by number: a store of more than nine files reopens, writes on and reopens again', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 40; i++) await log.set(`k${i % 5}`, `${i}-${'v'.repeat(200)}`);
    expect((await log.stats()).files.length).toBeGreaterThanOrEqual(10);
    await log.close();
    const again = await openLog({ dir, maxFileSize: 1024 });
    const stats = await again.stats();
    // The newest file (number 10 or more, before 9 as text) is the active one.
    expect(stats.files.find((file) => file.active)?.file).toBe(stats.files.at(-1)!.file);
    for (let i = 40; i < 60; i++) await again.set(`k${i % 5}`, `${i}-${'v'.repeat(200)}`);
    await again.close();
    const third = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 55; i < 60; i++) expect(await third.get(`k${i % 5}`)).toBe(`${i}-${'v'.repeat(200)}`);
  });

  it('open reads a merged file through its hint file, not by scanning its records', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 30; i++) await log.set(`k${i}`, 'v'.repeat(200));
    await log.merge();
    const merged = (await log.stats()).files.filter((file) => file.kind === 'merged').map((file) => file.file);
    expect(merged.length).toBeGreaterThan(0);
    await log.close();
    const { fs, bytesRead } = readCountingFileSystem();
    const reopened = await openLog({ dir, fs, maxFileSize: 1024 });
    for (const name of merged) {
      const read = [...bytesRead].filter(([path]) => path.endsWith(name)).reduce((sum, [, bytes]) => sum + bytes, 0);
      expect(read, name).toBe(FILE_HEADER_SIZE); // the header only
    }
    expect(await reopened.get('k29')).toBe('v'.repeat(200));
  });

  it('a failed header write while starting a new log file is an error, at open and at rotation', async () => {
    let failHeaders = false;
    const failing: FileSystem = {
      ...nodeFileSystem,
      open: (path, mode) => {
        const handle = nodeFileSystem.open(path, mode);
        if (mode !== 'createNew' || !path.endsWith('.data') || !failHeaders) return handle;
        return {
          ...handle,
          path: handle.path,
          append: () => {
            throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
          },
          close: () => handle.close(),
        } as FileHandle;
      },
    };
    failHeaders = true;
    const fresh = new LogBackend({ dir: tempDir(), fs: failing });
    await expect(fresh.open()).rejects.toMatchObject({ code: 'IO' });

    failHeaders = false;
    const log = await openLog({ dir: tempDir(), fs: failing, maxFileSize: 1024 });
    await log.set('a', 'x'.repeat(900));
    failHeaders = true;
    await expect(log.set('b', 'y'.repeat(900))).rejects.toMatchObject({ code: 'IO' });
    failHeaders = false;
    expect(await log.get('a')).toBe('x'.repeat(900));
    expect(await log.get('b')).toBeUndefined();
  });
});
