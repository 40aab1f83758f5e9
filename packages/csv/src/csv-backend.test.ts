import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import { StowageError } from '@stowage/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';
import type { CsvBackendOptions } from './options.js';

const dir = tempDir('stowage-csv-backend');
let directory: string;
let path: string;
const opened: CsvBackend[] = [];

beforeEach(() => {
  directory = dir();
  path = join(directory, 'store.csv');
});
afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close().catch(() => undefined);
});

async function open(options: Partial<CsvBackendOptions> = {}): Promise<CsvBackend> {
  const backend = new CsvBackend({ path, ...options });
  opened.push(backend);
  await backend.open();
  return backend;
}

async function openError(options: Partial<CsvBackendOptions> = {}): Promise<StowageError> {
  const backend = new CsvBackend({ path, ...options });
  const error = await backend.open().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  await backend.close();
  if (!StowageError.is(error)) throw new Error(`expected a StowageError, got ${String(error)}`);
  return error;
}

async function entriesOf(backend: CsvBackend): Promise<[string, unknown][]> {
  const entries: [string, unknown][] = [];
  for await (const entry of backend.entries()) entries.push(entry);
  return entries;
}

describe('a new store', () => {
  it("declares what the README's supports table says", () => {
    const backend = new CsvBackend({ path });
    expect(backend.supports).toMatchObject({
      persistent: true,
      orderedIteration: true,
      atomicBatch: true,
      transactions: false,
      versions: false,
      nativeTtl: true,
      exactMembership: true,
      multiProcess: false,
      durability: ['batch'],
    });
    expect(new CsvBackend({ path, durability: 'none' }).supports.durability).toEqual(['none']);
  });

  it("is named 'csv' and has no warnings and nothing recovered, before its open and after it", async () => {
    const unopened = new CsvBackend({ path });
    expect(unopened.warnings).toEqual([]);
    expect(unopened.recovery).toEqual([]);
    const backend = await open();
    expect(backend.name).toBe('csv');
    expect(backend.warnings).toEqual([]);
    expect(backend.recovery).toEqual([]);
  });
});

describe('the CSV file', () => {
  it('holds a header and one row per live key after close, and nothing else is left behind', async () => {
    const backend = await open();
    await backend.set('b', '{"n":2}');
    await backend.set('a', '"text, with a comma"');
    await backend.set('gone', '1');
    await backend.delete('gone');
    await backend.close();
    expect(readFileSync(path, 'utf8')).toBe('key,value\r\nb,"{""n"":2}"\r\na,"""text, with a comma"""\r\n');
    expect(existsSync(`${path}.journal`)).toBe(false);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('neutralises formulas in the file and still reads every value back exactly', async () => {
    const values = ['=HYPERLINK("http://evil.example","x")', '-1', '+1', '@SUM(A1)', "'quoted", '\tx', '\rx'];
    const backend = await open();
    for (const [index, value] of values.entries()) await backend.set(`k${index}`, value);
    await backend.set('=key', 'v');
    await backend.close();
    const text = readFileSync(path, 'utf8');
    for (const line of text.split('\r\n').slice(1, -1)) {
      for (const cell of line.replace(/^"/, '').split(',')) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(text).toContain("'=key,v");
    const reopened = await open();
    for (const [index, value] of values.entries()) expect(await reopened.get(`k${index}`)).toBe(value);
    expect(await reopened.get('=key')).toBe('v');
  });

  it('round-trips keys that need care: empty, NUL, unicode, a leading equals sign, line breaks', async () => {
    const keys = ['', '\u0000', 'é😀', '=1+1', 'a\r\nb', '"', "'", 'base64:x', ' padded '];
    const backend = await open();
    for (const key of keys) await backend.set(key, `value of ${JSON.stringify(key)}`);
    await backend.close();
    const reopened = await open();
    for (const key of keys) expect(await reopened.get(key)).toBe(`value of ${JSON.stringify(key)}`);
    expect(await reopened.size()).toBe(keys.length);
  });

  it('stores bytes behind the base64 marker and returns them as bytes', async () => {
    const backend = await open();
    await backend.set('bytes', new Uint8Array([0, 255, 10]));
    await backend.set('text', 'base64:AP8K');
    await backend.close();
    expect(readFileSync(path, 'utf8')).toContain("bytes,base64:AP8K\r\ntext,'base64:AP8K");
    const reopened = await open();
    expect(await reopened.get('bytes')).toEqual(new Uint8Array([0, 255, 10]));
    expect(await reopened.get('text')).toBe('base64:AP8K');
  });

  it('refuses a string value with a lone surrogate, which UTF-8 cannot hold, and writes nothing', async () => {
    const backend = await open();
    await expect(backend.set('k', 'bad \ud800')).rejects.toMatchObject({
      code: 'INVALID_VALUE',
      origin: '@stowage/csv',
    });
    await expect(backend.apply([{ type: 'set', key: 'j', value: '\udc00' }])).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
    expect(await backend.size()).toBe(0);
    expect(readFileSync(`${path}.journal`, 'utf8')).toBe('STOWAGE-CSV-JOURNAL 2\n');
  });

  it('keeps a byte order mark the file had, and writes one when asked', async () => {
    writeFileSync(path, '\ufeffkey,value\r\na,1\r\n');
    const backend = await open();
    await backend.set('b', '2');
    await backend.close();
    expect(readFileSync(path, 'utf8')).toBe('\ufeffkey,value\r\na,1\r\nb,2\r\n');
    const stripped = await open({ byteOrderMark: false });
    await stripped.set('c', '3');
    await stripped.close();
    expect(readFileSync(path, 'utf8').startsWith('key,value')).toBe(true);
  });

  it('writes a byte order mark into a new file when asked, and none by default', async () => {
    const backend = await open({ byteOrderMark: true });
    await backend.set('k', 'v');
    await backend.close();
    expect([...readFileSync(path).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    rmSync(path);
    const plain = await open();
    await plain.set('k', 'v');
    await plain.close();
    expect(readFileSync(path, 'utf8').startsWith('key,value')).toBe(true);
  });

  it('creates the CSV on the first close even when nothing was written', async () => {
    const backend = await open({ path: join(directory, 'new', 'folder', 'empty.csv') });
    await backend.close();
    expect(readFileSync(join(directory, 'new', 'folder', 'empty.csv'), 'utf8')).toBe('key,value\r\n');
  });
});

describe('edits a person made while the store was closed', () => {
  it('are read at the next open, with LF line endings and plain typed values', async () => {
    writeFileSync(path, 'key,value\nname,"""Ada"""\ncount,-1\nnote,hello\n\n');
    const backend = await open();
    expect(await entriesOf(backend)).toEqual([
      ['count', '-1'],
      ['name', '"Ada"'],
      ['note', 'hello'],
    ]);
  });

  it('are left untouched by an open and close without writes', async () => {
    const text = 'key,value\nz,1\na,2\n';
    writeFileSync(path, text);
    const backend = await open();
    await backend.close();
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('fail the open with CORRUPTION naming the file and line of a malformed row', async () => {
    writeFileSync(path, 'key,value\r\na,1\r\nb,"two\r\nlines",extra\r\nc,3\r\n');
    const error = await openError();
    expect(error.code).toBe('CORRUPTION');
    expect(error.origin).toBe('@stowage/csv');
    expect(error.file).toBe(path);
    expect(error.message).toContain(`${path} line 3`);
    expect(error.offset).toBe(16);
  });

  it('fail the open on an unterminated quote, and open once the person fixed it', async () => {
    writeFileSync(path, 'key,value\na,1\nb,"oops\nc,3\n');
    expect((await openError()).message).toContain('line 3');
    writeFileSync(path, 'key,value\na,1\nb,"oops"\nc,3\n');
    const backend = await open();
    expect(await backend.get('b')).toBe('oops');
  });

  it.each([
    ['a third column that is not expires', 'key,value,notes\na,1,x\n'],
    ['a fourth column', 'key,value,expires,notes\na,1,,x\n'],
    ['one column', 'key\na\n'],
    ['the columns swapped', 'value,key\n1,a\n'],
    ['a wrong second name', 'key,val\na,1\n'],
  ])('fail the open on a header with %s, even when skipping malformed rows', async (_what, text) => {
    writeFileSync(path, text);
    const error = await openError({ onMalformedRow: 'skip' });
    expect(error.code).toBe('CORRUPTION');
    expect(error.message).toContain('line 1');
  });

  it('read a header of key,value,expires and its expiry column', async () => {
    writeFileSync(path, 'key,value,expires\na,1,4102444800000\nb,2,\n');
    const backend = await open();
    expect(await backend.getWithExpiry('a')).toEqual({ value: '1', expiresAt: 4_102_444_800_000 });
    expect(await backend.getWithExpiry('b')).toEqual({ value: '2', expiresAt: undefined });
  });

  it('fail the open on a wrong header or text that is not UTF-8', async () => {
    writeFileSync(path, 'id,value\na,1\n');
    expect((await openError({ onMalformedRow: 'skip' })).message).toContain('line 1');
    writeFileSync(path, Buffer.from([0x6b, 0x65, 0x79, 0xff]));
    expect((await openError()).code).toBe('CORRUPTION');
  });

  it('can be skipped and reported instead, row by row', async () => {
    writeFileSync(path, 'key,value\na,1\nb\nc,3\nc,4\nd,base64:!!\n');
    const seen: number[] = [];
    const backend = await open({ onMalformedRow: 'skip', onWarning: (warning) => seen.push(warning.line ?? 0) });
    expect(await entriesOf(backend)).toEqual([
      ['a', '1'],
      ['c', '3'],
    ]);
    expect(backend.warnings.map((warning) => [warning.kind, warning.line])).toEqual([
      ['malformed-row', 3],
      ['malformed-row', 5],
      ['malformed-row', 6],
    ]);
    expect(seen).toEqual([3, 5, 6]);
  });
});

describe('leftovers', () => {
  it('skipped rows are dropped from the file at the next rewrite, as documented', async () => {
    writeFileSync(path, 'key,value\na,1\nbroken\n');
    const backend = await open({ onMalformedRow: 'skip' });
    await backend.set('b', '2');
    await backend.close();
    expect(readFileSync(path, 'utf8')).toBe('key,value\r\na,1\r\nb,2\r\n');
  });

  it('a temp file of an interrupted rewrite is removed at open, other files are not', async () => {
    writeFileSync(path, 'key,value\na,1\n');
    writeFileSync(join(directory, '.store.csv.0123456789ab.tmp'), 'key,value\na,half');
    writeFileSync(join(directory, 'notes.tmp'), 'mine');
    const backend = await open();
    expect(await backend.get('a')).toBe('1');
    expect(existsSync(join(directory, '.store.csv.0123456789ab.tmp'))).toBe(false);
    expect(existsSync(join(directory, 'notes.tmp'))).toBe(true);
  });

  it("removes the lock's and the rewrite's temp files of a dead process, keeps a live process's, and reports them", async () => {
    // A pid far above any pid_max: no such process is alive.
    const dead = 2 ** 22 + 17;
    const lockTemp = `.store.csv.lock.${dead}-0123456789ab.tmp`;
    const rewriteTemp = `.store.csv.${dead}-ba9876543210.tmp`;
    const liveTemp = `.store.csv.lock.1-aaaaaaaaaaaa.tmp`; // pid 1 is always alive
    for (const name of [lockTemp, rewriteTemp, liveTemp]) writeFileSync(join(directory, name), 'debris');
    const backend = await open();
    expect(existsSync(join(directory, lockTemp))).toBe(false);
    expect(existsSync(join(directory, rewriteTemp))).toBe(false);
    expect(existsSync(join(directory, liveTemp))).toBe(true);
    expect(
      backend.recovery
        .filter((action) => action.action === 'removed-temp-file')
        .map((a) => a.file)
        .sort(),
    ).toEqual([join(directory, lockTemp), join(directory, rewriteTemp)].sort());
  });

  it("leaves the temp files of another store in the same folder, even a dead process's", async () => {
    const dead = 2 ** 22 + 17;
    const otherTemp = `.other.csv.${dead}-0123456789ab.tmp`;
    writeFileSync(join(directory, otherTemp), 'not ours');
    const backend = await open();
    expect(existsSync(join(directory, otherTemp))).toBe(true);
    expect(backend.recovery).toEqual([]);
  });
});

describe('the journal', () => {
  it('starts with its header and gets one CRC-checked record per write and one per batch before it resolves', async () => {
    const backend = await open();
    await backend.set('a', '1');
    await backend.apply([
      { type: 'set', key: 'b', value: '2' },
      { type: 'delete', key: 'a' },
    ]);
    const lines = readFileSync(`${path}.journal`, 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('STOWAGE-CSV-JOURNAL 2');
    expect(lines[1]).toMatch(/^00000011 [0-9a-f]{8} \[\[\["s","a","1"\]\]\]$/);
    expect(lines[2]).toMatch(/^0000001b [0-9a-f]{8} \[\[\["s","b","2"\],\["d","a"\]\]\]$/);
    expect(existsSync(path)).toBe(false);
  });

  it('is replayed at open when the store was not closed', async () => {
    const backend = await open();
    await backend.set('a', '1');
    await backend.set('b', new Uint8Array([1]));
    await backend.delete('a');
    const journal = readFileSync(`${path}.journal`);
    await backend.close();
    writeFileSync(path, 'key,value\r\nold,1\r\n');
    writeFileSync(`${path}.journal`, journal);
    const reopened = await open();
    expect(await entriesOf(reopened)).toEqual([
      ['b', new Uint8Array([1])],
      ['old', '1'],
    ]);
  });

  it('replayed over a CSV that already holds its writes changes nothing', async () => {
    const backend = await open();
    await backend.set('a', '1');
    await backend.set('a', '2');
    await backend.set('b', '3');
    await backend.delete('b');
    const journal = readFileSync(`${path}.journal`);
    await backend.close();
    const csv = readFileSync(path);
    writeFileSync(`${path}.journal`, journal);
    const reopened = await open();
    expect(await entriesOf(reopened)).toEqual([['a', '2']]);
    await reopened.close();
    expect(readFileSync(path)).toEqual(csv);
  });

  it('loses only a torn last record, and later writes follow the intact records', async () => {
    const backend = await open();
    await backend.set('a', '1');
    await backend.set('b', '2');
    const journal = readFileSync(`${path}.journal`);
    await backend.close();
    rmSync(path);
    writeFileSync(`${path}.journal`, journal.subarray(0, journal.length - 4));
    const reopened = await open();
    expect(await entriesOf(reopened)).toEqual([['a', '1']]);
    await reopened.set('c', '3');
    await reopened.close();
    const again = await open();
    expect(await entriesOf(again)).toEqual([
      ['a', '1'],
      ['c', '3'],
    ]);
  });

  it('damaged in the middle fails the open with CORRUPTION at the damaged record', async () => {
    const backend = await open();
    await backend.set('a', '1');
    await backend.set('b', '2');
    const journal = readFileSync(`${path}.journal`);
    await backend.close();
    journal[22 + 14] = journal[22 + 14]! ^ 0x01;
    writeFileSync(`${path}.journal`, journal);
    const error = await openError();
    expect(error).toMatchObject({ code: 'CORRUPTION', file: `${path}.journal`, offset: 22 });
  });

  it('is folded into the CSV once it outgrows its threshold, not on every write', async () => {
    const backend = await open({ minJournalBytes: 200 });
    for (let i = 0; i < 10; i++) await backend.set(`key-${i}`, `value-${i}`);
    expect(existsSync(path)).toBe(true);
    const journalBytes = readFileSync(`${path}.journal`).length;
    expect(journalBytes).toBeLessThanOrEqual(200 + 60);
    expect(readFileSync(path, 'utf8')).toContain('key-0,value-0');
  });

  it('is folded into the CSV by flush', async () => {
    const backend = await open();
    await backend.set('a', '1');
    await backend.flush();
    expect(readFileSync(path, 'utf8')).toBe('key,value\r\na,1\r\n');
    expect(readFileSync(`${path}.journal`, 'utf8')).toBe('STOWAGE-CSV-JOURNAL 2\n');
  });

  it('gets no line for deleting a key that is absent', async () => {
    const backend = await open();
    expect(await backend.delete('missing')).toBe(false);
    expect(readFileSync(`${path}.journal`, 'utf8')).toBe('STOWAGE-CSV-JOURNAL 2\n');
  });
});

describe('writes', () => {
  it('answer delete by what was there, in call order, also when issued together', async () => {
    const backend = await open();
    const [, deletedAfterSet, deletedTwice] = await Promise.all([
      backend.set('k', '1'),
      backend.delete('k'),
      backend.delete('k'),
    ]);
    expect(deletedAfterSet).toBe(true);
    expect(deletedTwice).toBe(false);
    expect(await backend.has('k')).toBe(false);
  });

  it('clear a range as one atomic line and leave the rest', async () => {
    const backend = await open();
    await backend.apply(['a1', 'a2', 'b1'].map((key) => ({ type: 'set' as const, key, value: key })));
    const linesBefore = readFileSync(`${path}.journal`, 'utf8').split('\n').length;
    await backend.clear({ prefix: 'a' });
    expect(await entriesOf(backend)).toEqual([['b1', 'b1']]);
    expect(readFileSync(`${path}.journal`, 'utf8').split('\n').length).toBe(linesBefore + 1);
  });

  it('clear in its place among writes issued together: after the writes before it, before the writes after it', async () => {
    const backend = await open();
    await Promise.all([
      backend.set('a1', 'before'),
      backend.set('a2', 'before'),
      backend.clear({ prefix: 'a' }),
      backend.set('a3', 'after'),
    ]);
    expect(await entriesOf(backend)).toEqual([['a3', 'after']]);
    await backend.close();
    const reopened = await open();
    expect(await entriesOf(reopened)).toEqual([['a3', 'after']]);
  });

  it('keep bytes apart from the caller: changing the array later changes nothing stored', async () => {
    const backend = await open();
    const bytes = new Uint8Array([1, 2]);
    await backend.set('k', bytes);
    bytes[0] = 9;
    const read = (await backend.get('k')) as Uint8Array;
    expect(read).toEqual(new Uint8Array([1, 2]));
    read[1] = 9;
    expect(await backend.get('k')).toEqual(new Uint8Array([1, 2]));
  });

  it('iterate in code-point order with ranges and reverse', async () => {
    const backend = await open();
    for (const key of ['b', 'a', 'c', '😀', '\uffff']) await backend.set(key, key);
    const keys = async (range: Parameters<CsvBackend['keys']>[0]) => {
      const result: string[] = [];
      for await (const key of backend.keys(range)) result.push(key);
      return result;
    };
    expect(await keys({})).toEqual(['a', 'b', 'c', '\uffff', '😀']);
    expect(await keys({ gt: 'a', lte: 'c', reverse: true })).toEqual(['c', 'b']);
    expect(await keys({ gte: 'c', limit: 2 })).toEqual(['c', '\uffff']);
  });
});

describe('options', () => {
  it.each([
    [{ path: '' }],
    [{ path, durability: 'always' }],
    [{ path, onMalformedRow: 'ignore' }],
    [{ path, minJournalBytes: 0 }],
    [{ path, journalToCsvRatio: Number.NaN }],
  ])('reject %j with INVALID_CONFIG', (options) => {
    expect(() => new CsvBackend(options as CsvBackendOptions)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', origin: '@stowage/csv' }),
    );
  });

  it('declare what the engine offers, durability being the configured level only', () => {
    expect(new CsvBackend({ path: 'x.csv' }).supports).toMatchObject({
      persistent: true,
      orderedIteration: true,
      atomicBatch: true,
      nativeTtl: true,
      multiProcess: false,
      durability: ['batch'],
    });
    expect(new CsvBackend({ path: 'x.csv', durability: 'none' }).supports.durability).toEqual(['none']);
  });
});
