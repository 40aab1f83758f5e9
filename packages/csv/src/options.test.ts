/** Issue 8 items 11 and 13 (csv parts): options, encodings and read-only disks give typed errors. */
import { StowageError } from '@stowage/core';
import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';
import { readOnlyFileSystem } from './fixtures/read-only-fs.fixture.js';
import type { CsvBackendOptions } from './options.js';

function configError(options: unknown): StowageError {
  try {
    new CsvBackend(options as CsvBackendOptions);
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error('expected INVALID_CONFIG');
}

async function openError(backend: CsvBackend): Promise<StowageError> {
  const error = await backend.open().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!StowageError.is(error)) throw new Error(`expected a StowageError, got ${String(error)}`);
  return error;
}

describe('options', () => {
  it.each([
    [{ path: 'a.csv', byteOrderMark: 'yes' }, /byteOrderMark must be true or false/],
    [{ path: 'a.csv', onWarning: 'x' }, /onWarning must be a function/],
    [{ path: 'a.csv', onJournalDamage: 'skip' }, /onJournalDamage/],
    [{ path: 'a.csv', pth: 'b.csv' }, /unknown option "pth"/],
    [{ path: 'a.csv', durabilty: 'none' }, /did you mean "durability"/],
    [{ path: 'a.csv', durability: 'bach' }, /durability must be one of "none", "batch".*did you mean "batch"/],
    [{ path: 'a.csv', durability: 'always' }, /durability must be one of "none", "batch", got "always"/],
    [{ path: 'a.csv', fs: 'disk' }, /fs must be a FileSystem/],
    [null, /options must be an object/],
    [undefined, /options must be an object/],
    ['a.csv', /options must be an object/],
    [{}, /options.path must name the CSV file/],
    [{ path: '' }, /options.path must name the CSV file/],
    [{ path: 'a.csv', onMalformedRow: 'drop' }, /onMalformedRow must be "fail" or "skip"/],
    [{ path: 'a.csv', minJournalBytes: 0 }, /minJournalBytes must be a positive number/],
    [{ path: 'a.csv', journalToCsvRatio: Number.POSITIVE_INFINITY }, /journalToCsvRatio must be a positive number/],
  ])('refuses %j with INVALID_CONFIG', (options, message) => {
    const error = configError(options);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(message);
    expect(error.origin).toBe('@stowage/csv');
  });
});

describe('a CSV that is not UTF-8', () => {
  it('is refused with CORRUPTION naming the line and byte offset of the first bad byte', async () => {
    const disk = new SimulatedDisk();
    disk.mkdir('/d');
    // "CSV (Windows)" export: café in Windows-1252 on line 3.
    const data = Buffer.concat([
      Buffer.from('key,value\r\nplain,1\r\ncaf'),
      Buffer.from([0xe9]),
      Buffer.from(',2\r\n'),
    ]);
    const handle = disk.open('/d/s.csv', 'create');
    handle.write(data, 0);
    await handle.sync();
    handle.close();
    const error = await openError(new CsvBackend({ path: '/d/s.csv', fs: disk }));
    expect(error).toMatchObject({ code: 'CORRUPTION', file: '/d/s.csv', offset: 23 });
    expect(error.message).toContain('line 3, byte 23');
    expect(error.message).toContain('UTF-8');
  });
});

describe('a read-only disk', () => {
  it('refuses a new store whose folder is missing with READ_ONLY, not IO', async () => {
    const fs = readOnlyFileSystem(new SimulatedDisk());
    const error = await openError(new CsvBackend({ path: '/mnt/ro/data/s.csv', fs }));
    expect(error.code).toBe('READ_ONLY');
  });

  it('refuses a new store in an existing read-only folder with READ_ONLY', async () => {
    const disk = new SimulatedDisk();
    disk.mkdir('/mnt/ro');
    const error = await openError(new CsvBackend({ path: '/mnt/ro/s.csv', fs: readOnlyFileSystem(disk) }));
    expect(error.code).toBe('READ_ONLY');
  });
});
