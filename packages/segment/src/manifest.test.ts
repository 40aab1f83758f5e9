/**
 * The manifest names the files that make the store: its names, its checksum line and its
 * format number are read by every later build, and a damaged manifest must stop the open
 * with CORRUPTION naming it instead of opening a store with files missing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { crc32c, nodeFileSystem } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import {
  MANIFEST_FILE,
  type ManifestData,
  parseFileName,
  readManifest,
  segmentName,
  walName,
  writeManifest,
} from './manifest.js';
import { tempDir } from './test-helpers.fixture.js';

const data: ManifestData = {
  nextFile: 12,
  logNumber: 10,
  levels: [
    [{ number: 9, size: 4096, entries: 40, tombstones: 2, smallest: 'a', largest: 'é' }],
    [],
    [{ number: 3, size: 100, entries: 1, tombstones: 0, smallest: 'm', largest: 'm' }],
  ],
};

function corruption(run: () => unknown): StowageError {
  try {
    run();
  } catch (error) {
    if (StowageError.is(error, 'CORRUPTION')) return error;
    throw error;
  }
  throw new Error('no CORRUPTION');
}

describe('store file names', () => {
  it('are the number padded to six digits, then .seg or .wal, and parse back', () => {
    expect(segmentName(7)).toBe('000007.seg');
    expect(walName(123_456)).toBe('123456.wal');
    expect(segmentName(1_234_567)).toBe('1234567.seg');
    expect(parseFileName('000007.seg')).toEqual({ number: 7, kind: 'seg' });
    expect(parseFileName('1234567.wal')).toEqual({ number: 1_234_567, kind: 'wal' });
  });

  it('other names are not store files: short numbers, other endings, prefixes, suffixes, temp files', () => {
    for (const name of [
      '00007.seg',
      '000007.sst',
      'x000007.seg',
      '000007.seg.tmp',
      '.000007.seg.1-ab.tmp',
      'MANIFEST',
      '000007.seg\nx',
    ]) {
      expect(parseFileName(name), name).toBeUndefined();
    }
  });
});

describe('manifest file', () => {
  it('is the JSON with its format, a newline, the CRC32C of the JSON as 8 hex digits and a newline', async () => {
    const dir = tempDir();
    await writeManifest(nodeFileSystem, dir, data);
    const text = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
    const [json, crc, end] = text.split('\n');
    expect(JSON.parse(json!)).toEqual({ format: 1, ...data });
    expect(crc).toBe(crc32c(Buffer.from(json!, 'utf8')).toString(16).padStart(8, '0'));
    expect(end).toBe('');
    expect(readManifest(nodeFileSystem, dir)).toEqual(data);
  });

  it('is undefined when there is none', () => {
    expect(readManifest(nodeFileSystem, tempDir())).toBeUndefined();
  });

  it('is CORRUPTION naming it when its checksum line is missing or wrong, or its format unknown', async () => {
    const dir = tempDir();
    const path = join(dir, MANIFEST_FILE);
    await writeManifest(nodeFileSystem, dir, data);
    const good = readFileSync(path, 'utf8');
    const json = good.slice(0, good.indexOf('\n'));
    const sealed = (body: string) => `${body}\n${crc32c(Buffer.from(body, 'utf8')).toString(16).padStart(8, '0')}\n`;
    const cases: [string, string][] = [
      ['no checksum line', `${json}\n`],
      ['no final newline', good.slice(0, -1)],
      ['text after the checksum', `${good}x`],
      ['a flipped JSON byte', good.replace('"nextFile":12', '"nextFile":13')],
      ['format 2', sealed(json.replace('"format":1', '"format":2'))],
    ];
    for (const [what, text] of cases) {
      writeFileSync(path, text);
      const error = corruption(() => readManifest(nodeFileSystem, dir));
      expect(error.file, what).toBe(path);
      expect(error.offset, what).toBe(0);
    }
    // A JSON body holding newlines is still one manifest (the checksum line is the last).
    writeFileSync(path, sealed(JSON.stringify({ format: 1, ...data }, null, 1)));
    expect(readManifest(nodeFileSystem, dir)).toEqual(data);
  });
});
