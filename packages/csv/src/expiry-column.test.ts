/** Issue 10 item 7: expiry in its own column, native sweep, and cells a person can find. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import { PersistentMap, type StorageBackend } from '@stowage/core';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';
import { decodeExpiryCell, encodeExpiryCell } from './expiry-cell.js';

const dir = tempDir('stowage-csv-ttl');
let path: string;

beforeEach(() => {
  path = join(dir(), 'store.csv');
});

async function opened(): Promise<CsvBackend> {
  const backend = new CsvBackend({ path });
  await backend.open();
  return backend;
}

const soon = Date.UTC(2030, 0, 31, 12, 0, 0, 250);

describe('the expires column', () => {
  it('holds the expiry of a raw write as an ISO time, survives reopen, and a plain write ends it', async () => {
    const backend = await opened();
    await backend.set('a', '1', { expiresAt: soon });
    await backend.apply([{ type: 'set', key: 'b', value: '2', expiresAt: soon + 1 }]);
    await backend.set('c', '3');
    await backend.close();
    expect(readFileSync(path, 'utf8')).toBe(
      'key,value,expires\r\na,1,2030-01-31T12:00:00.250Z\r\nb,2,2030-01-31T12:00:00.251Z\r\nc,3,\r\n',
    );
    const reopened = await opened();
    expect((await reopened.getWithExpiry('a'))?.expiresAt).toBe(soon);
    expect((await reopened.getWithExpiry('b'))?.expiresAt).toBe(soon + 1);
    expect((await reopened.getWithExpiry('c'))?.expiresAt).toBeUndefined();
    await reopened.set('a', '1 again');
    expect((await reopened.getWithExpiry('a'))?.expiresAt).toBeUndefined();
    await reopened.close();
  });

  it('is left out while no entry expires, so a plain store stays key,value', async () => {
    const backend = await opened();
    await backend.set('a', '1', { expiresAt: soon });
    await backend.delete('a');
    await backend.set('b', '2');
    await backend.close();
    expect(readFileSync(path, 'utf8')).toBe('key,value\r\nb,2\r\n');
  });

  it('reads what a person types: ISO with an offset, ms since 1970, an empty cell, a row without the cell', async () => {
    writeFileSync(path, 'key,value,expires\na,1,2030-01-31T13:00:00.250+01:00\nb,2,1900000000000\nc,3,\nd,4\n');
    const backend = await opened();
    expect((await backend.getWithExpiry('a'))?.expiresAt).toBe(soon);
    expect((await backend.getWithExpiry('b'))?.expiresAt).toBe(1_900_000_000_000);
    expect((await backend.getWithExpiry('c'))?.expiresAt).toBeUndefined();
    expect((await backend.getWithExpiry('d'))?.expiresAt).toBeUndefined();
    await backend.close();
  });

  it('refuses an unreadable expires cell naming file, line, column and what to type', async () => {
    writeFileSync(path, 'key,value,expires\na,1,\nb,2,next tuesday\n');
    const error = await new CsvBackend({ path }).open().then(
      () => undefined,
      (caught: unknown) => caught as Record<string, unknown>,
    );
    expect(error).toMatchObject({ code: 'CORRUPTION', file: path, offset: 23 });
    expect(String(error?.message)).toMatch(/line 3: column 3 \(expires\).*ISO 8601/);
  });

  it('sweepExpired deletes exactly the expired entries, durably', async () => {
    const backend = await opened();
    await backend.set('past', 'a', { expiresAt: 1000 });
    await backend.set('future', 'b', { expiresAt: soon });
    await backend.set('never', 'c');
    const sweep = (now: number) => (backend as StorageBackend).sweepExpired!(now);
    expect(await sweep(2000)).toBe(1);
    expect(await sweep(2000)).toBe(0);
    await backend.close();
    const reopened = await opened();
    expect(await reopened.has('past')).toBe(false);
    expect(await reopened.size()).toBe(2);
    await reopened.close();
  });

  it('reads back a negative fraction, which is written behind the formula mark', () => {
    const cell = encodeExpiryCell(-1.5);
    expect(cell.startsWith("'")).toBe(true);
    expect(decodeExpiryCell(cell)).toBe(-1.5);
  });

  it.each([
    ['an ISO text that names no date', '2026-13-45T10:00Z'],
    ['a number too large to be finite', '1e999'],
    ['a hexadecimal number', '0x10'],
  ])('refuses %s as an expiry', (_what, cell) => {
    expect(decodeExpiryCell(cell)).toBeInstanceOf(Error);
  });

  it('round-trips every expiry the engine accepts exactly', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
        (expiresAt) => {
          expect(decodeExpiryCell(encodeExpiryCell(expiresAt))).toBe(expiresAt === 0 ? 0 : expiresAt);
        },
      ),
    );
  });

  it("through PersistentMap: the map's ttl fills the column, and a file with the expiry inside the cell still reads", async () => {
    // A file as the engine wrote it before the column existed: core's envelope inside the value cell.
    writeFileSync(path, `key,value\r\nold,"\u0001${soon}\u0001""kept"""\r\ngone,"\u00011000\u0001""x"""\r\n`);
    const map = await PersistentMap.open<string>(new CsvBackend({ path }), { sweepInterval: 0 });
    expect(await map.get('old')).toBe('kept');
    expect(await map.ttl('old')).toBeGreaterThan(0);
    expect(await map.get('gone')).toBeUndefined();
    await map.set('new', 'v', { ttl: 60_000 });
    await map.close();
    const row = readFileSync(path, 'utf8')
      .split('\r\n')
      .find((line) => line.startsWith('new,'))!;
    // The value cell holds the plain JSON (no invisible envelope a spreadsheet might strip).
    expect(row.startsWith('new,"""v""",')).toBe(true);
    const expires = row.slice(row.lastIndexOf(',') + 1);
    expect(Date.parse(expires) - Date.now()).toBeGreaterThan(50_000);
    const again = await PersistentMap.open<string>(new CsvBackend({ path }), { sweepInterval: 0 });
    expect(await again.ttl('new')).toBeGreaterThan(50_000);
    await again.close();
  });

  it('a TTL survives a spreadsheet that strips control characters: the expiry is only in its column', async () => {
    const map = await PersistentMap.open<string>(new CsvBackend({ path }), { sweepInterval: 0 });
    await map.set('s', 'session', { ttl: 60_000 });
    await map.close();
    const text = readFileSync(path, 'utf8');
    const isControl = (char: string) => char.charCodeAt(0) < 0x09;
    expect([...text].filter(isControl)).toEqual([]);
    // What a spreadsheet saving "as CSV" may do: drop control characters, keep the rest.
    writeFileSync(path, [...text].filter((char) => !isControl(char)).join(''));
    const again = await PersistentMap.open<string>(new CsvBackend({ path }), { sweepInterval: 0 });
    expect(await again.get('s')).toBe('session');
    expect(await again.ttl('s')).toBeGreaterThan(50_000);
    await again.close();
  });

  it('tells where a cell a person typed is: file, line and column', async () => {
    writeFileSync(path, 'key,value\r\ngood,"""text"""\r\nbad,hello\r\n');
    const backend = await opened();
    expect(backend.locate('bad')).toEqual({ file: path, line: 3, column: 2 });
    await backend.set('bad', '"fixed"');
    expect(backend.locate('bad')).toBeUndefined();
    await backend.close();
  });

  it('a hand-typed cell that is not JSON fails the map open with DECODE_FAILED naming file, line, column and the fix', async () => {
    writeFileSync(path, 'key,value\r\ngood,"""text"""\r\nbad,hello\r\n');
    const error = await PersistentMap.open<string>(new CsvBackend({ path }), { sweepInterval: 0 }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ code: 'DECODE_FAILED', key: 'bad' });
    expect((error as Error).message).toContain(`stored in ${path} at line 3, column 2`);
    expect((error as Error).message).toContain('text needs its double quotes');
  });
});
