/** Issue 8 item 10: the CSV is written and read in pieces, never as one string of the whole file. */
import type { EncodedValue } from '@stowage/core';
import { SimulatedDisk } from '@stowage/fs/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';
import { serializeCsv, serializeCsvChunks } from './csv-file.js';
import { readCsvBytes, rowAlignedPieces } from './csv-read.js';
import { writeCsvAtomic } from './csv-write.js';
import { countingFileSystem } from './fixtures/counting-fs.fixture.js';
import { MAX_VALUE_BYTES } from './limits.js';

const failing = {
  skipMalformed: false,
  fail: (row: { line: number; offset: number; reason: string }): never => {
    throw Object.assign(new Error(row.reason), { row });
  },
};

const cell = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\r', '\n', '=', ' ') });
const store = fc
  .uniqueArray(fc.tuple(cell, fc.oneof(cell, fc.uint8Array({ maxLength: 8 }))), {
    selector: ([key]) => key,
    maxLength: 30,
  })
  .map((rows) => new Map<string, EncodedValue>(rows));

describe('the streaming CSV writer', () => {
  it('writes the file in many small appends, and the bytes equal the whole-file text', async () => {
    const disk = new SimulatedDisk();
    const fs = countingFileSystem(disk);
    disk.mkdir('/d');
    const entries = new Map(Array.from({ length: 200 }, (_, i) => [`key-${i}`, `{"n":${i}}`] as [string, string]));
    const size = await writeCsvAtomic(fs, '/d/s.csv', entries, { byteOrderMark: true, chunkChars: 64 });
    const written = disk.readFile('/d/s.csv');
    expect(Buffer.from(written).toString('utf8')).toBe(`\ufeff${serializeCsv(entries)}`);
    expect(size).toBe(written.length);
    const appends = [...fs.counts].filter(([name]) => name.startsWith('append /d/.s.csv.')).map(([, n]) => n);
    expect(appends[0]).toBeGreaterThan(50);
    expect(disk.readdir('/d')).toEqual(['s.csv']); // no temp file left
  });

  it('never builds a chunk much larger than asked for', () => {
    const entries = new Map(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v'.repeat(i % 50)] as [string, string]));
    for (const chunk of serializeCsvChunks(entries, 256)) expect(chunk.length).toBeLessThan(256 + 2 * 60);
  });

  it('reads back exactly what it wrote, whatever the piece size, for any store', () => {
    fc.assert(
      fc.property(store, fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 40 }), (entries, chunk, piece) => {
        const text = [...serializeCsvChunks(entries, chunk)].join('');
        const read = readCsvBytes(Buffer.from(text), failing, piece);
        expect(read.entries).toEqual(entries);
      }),
    );
  });

  it('cuts pieces only at row ends outside quoted cells', () => {
    const data = Buffer.from('key,value\r\na,"x\r\ny"\r\nb,2\n');
    const pieces = [...rowAlignedPieces(data, 0, 1)].map(([from, to]) => data.subarray(from, to).toString());
    expect(pieces).toEqual(['key,value\r\n', 'a,"x\r\ny"\r\n', 'b,2\n']);
  });

  it('names the right line and byte offset of a bad row in a later piece', () => {
    const text = 'key,value\r\na,1\nb,2\r\nc,"never closed\n';
    try {
      readCsvBytes(Buffer.from(text), failing, 4);
      expect.unreachable();
    } catch (error) {
      expect((error as { row: unknown }).row).toEqual({ line: 4, offset: 20, reason: 'a quoted cell is never closed' });
    }
  });

  it('refuses a value over the limit at set time with INVALID_VALUE, and the store stays writable', async () => {
    const backend = new CsvBackend({ path: '/d/big.csv', fs: new SimulatedDisk().mount() });
    await backend.open();
    expect(backend.supports.maxValueBytes).toBe(MAX_VALUE_BYTES);
    await expect(backend.set('big', new Uint8Array(MAX_VALUE_BYTES + 1))).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
    await backend.set('small', 'ok');
    await backend.flush();
    expect(await backend.has('big')).toBe(false);
    await backend.close();
  });
});
