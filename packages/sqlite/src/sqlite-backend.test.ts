import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import { StowageError } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';

const dir = tempDir('stowage-sqlite-backend');
let directory: string;
const opened: SqliteBackend[] = [];

beforeEach(() => {
  directory = dir();
});
afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close();
});

async function openStore(options: Partial<ConstructorParameters<typeof SqliteBackend>[0]> = {}) {
  const backend = new SqliteBackend({ file: join(directory, 'store.db'), ...options } as never);
  opened.push(backend);
  await backend.open();
  return backend;
}

describe('SqliteBackend values and keys', () => {
  it('returns strings as strings and bytes as plain Uint8Arrays, empty ones included', async () => {
    const backend = await openStore();
    await backend.set('text', '123');
    await backend.set('empty-text', '');
    await backend.set('bytes', new Uint8Array([0, 1, 255]));
    await backend.set('empty-bytes', new Uint8Array(0));
    const stored = await backend.getMany(['text', 'empty-text', 'bytes', 'empty-bytes']);
    expect(stored[0]).toBe('123');
    expect(stored[1]).toBe('');
    expect(stored[2]).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(stored[2])).toBe(false);
    expect([...(stored[2] as Uint8Array)]).toEqual([0, 1, 255]);
    expect(stored[3]).toBeInstanceOf(Uint8Array);
    expect((stored[3] as Uint8Array).byteLength).toBe(0);
  });

  it('stores exactly the bytes of a Uint8Array view that starts inside its buffer', async () => {
    const backend = await openStore();
    const whole = new Uint8Array([9, 9, 1, 2, 3, 9]);
    await backend.set('view', whole.subarray(2, 5));
    expect([...((await backend.get('view')) as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it('keeps keys and values containing NUL whole and distinct', async () => {
    const backend = await openStore();
    await backend.set('a\u0000b', 'first\u0000value');
    await backend.set('a\u0000c', 'second');
    await backend.set('a', 'plain');
    expect(await backend.get('a\u0000b')).toBe('first\u0000value');
    expect(await backend.get('a\u0000c')).toBe('second');
    expect(await backend.get('a')).toBe('plain');
    const keys: string[] = [];
    for await (const key of backend.keys({ prefix: 'a\u0000' })) keys.push(key);
    expect(keys).toEqual(['a\u0000b', 'a\u0000c']);
  });

  it('refuses a string value with a lone surrogate, which UTF-8 TEXT would alter, and writes nothing', async () => {
    const backend = await openStore();
    await expect(backend.set('k', 'x\uD800y')).rejects.toMatchObject({ code: 'INVALID_VALUE', key: 'k' });
    await expect(
      backend.apply([
        { type: 'set', key: 'fine', value: 'ok' },
        { type: 'set', key: 'bad', value: '\uDC00' },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_VALUE', key: 'bad' });
    expect(await backend.getMany(['k', 'fine', 'bad'])).toEqual([undefined, undefined, undefined]);
    await backend.set('pair', 'x\u{1F600}y');
    expect(await backend.get('pair')).toBe('x\u{1F600}y');
  });

  it('holds a 16 MiB value and a 64 KiB key', async () => {
    const backend = await openStore();
    const value = new Uint8Array(16 * 1024 * 1024).map((_, index) => index % 251);
    const key = 'k'.repeat(64 * 1024);
    await backend.set(key, value);
    const read = (await backend.get(key)) as Uint8Array;
    expect(read.byteLength).toBe(value.byteLength);
    expect(Buffer.compare(read, value)).toBe(0);
  });

  it('answers delete and has for present and missing keys', async () => {
    const backend = await openStore();
    await backend.set('here', 'x');
    expect(await backend.has('here')).toBe(true);
    expect(await backend.has('gone')).toBe(false);
    expect(await backend.delete('here')).toBe(true);
    expect(await backend.delete('here')).toBe(false);
    expect(await backend.get('here')).toBeUndefined();
  });
});

describe('SqliteBackend batches', () => {
  it('applies sets and deletes in order', async () => {
    const backend = await openStore();
    await backend.set('old', 'x');
    await backend.apply([
      { type: 'set', key: 'a', value: '1' },
      { type: 'set', key: 'a', value: '2' },
      { type: 'delete', key: 'old' },
      { type: 'set', key: 'b', value: new Uint8Array([7]) },
    ]);
    expect(await backend.getMany(['a', 'old', 'b'])).toEqual(['2', undefined, new Uint8Array([7])]);
    expect(await backend.size()).toBe(2);
  });

  it('writes nothing of a batch when one operation fails inside SQLite', async () => {
    const database = new Database(join(directory, 'shared.db'));
    const backend = new SqliteBackend({ database, closeDatabase: true });
    opened.push(backend);
    await backend.open();
    database.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON stowage WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    await backend.set('kept', 'before');
    const failure = await backend
      .apply([
        { type: 'set', key: 'kept', value: 'after' },
        { type: 'set', key: 'new', value: 'x' },
        { type: 'set', key: 'boom', value: 'x' },
      ])
      .catch((error: unknown) => error);
    expect(StowageError.is(failure, 'IO')).toBe(true);
    expect(await backend.getMany(['kept', 'new', 'boom'])).toEqual(['before', undefined, undefined]);
  });
});

describe('SqliteBackend TTL', () => {
  it('stores the expiry hint and sweeps exactly the entries due, through the expiry index', async () => {
    const backend = await openStore();
    await backend.set('soon', 'x', { expiresAt: 1_000 });
    await backend.set('at', 'x', { expiresAt: 2_000 });
    await backend.set('later', 'x', { expiresAt: 3_000 });
    await backend.set('never', 'x');
    await backend.apply([{ type: 'set', key: 'batched', value: 'x', expiresAt: 1_500 }]);
    expect(await backend.sweepExpired(2_000)).toBe(3);
    expect((await backend.getMany(['soon', 'at', 'batched', 'later', 'never'])).map(Boolean)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    const raw = new Database(backend.file, { readonly: true });
    const plan = raw
      .prepare('EXPLAIN QUERY PLAN DELETE FROM stowage WHERE expires_at <= ?')
      .all(0)
      .map((row) => (row as { detail: string }).detail)
      .join(' ');
    raw.close();
    expect(plan).toContain('stowage_expires_at');
  });

  it('clears an expiry when the key is set again without one', async () => {
    const backend = await openStore();
    await backend.set('k', 'x', { expiresAt: 1_000 });
    await backend.set('k', 'y');
    expect(await backend.sweepExpired(5_000)).toBe(0);
    expect(await backend.get('k')).toBe('y');
  });

  it('refuses a sweep time that is not a finite number, sweeping nothing (core rule)', async () => {
    const backend = await openStore();
    await backend.set('k', 'x', { expiresAt: 1_000 });
    for (const now of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      await expect(backend.sweepExpired(now)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await backend.get('k')).toBe('x');
  });
});

describe('SqliteBackend clear', () => {
  it('clears only a prefix, a range, or the first keys of a range', async () => {
    const backend = await openStore();
    await backend.apply(['a1', 'a2', 'a3', 'b1', 'b2', 'c1'].map((key) => ({ type: 'set', key, value: key }) as const));
    await backend.clear({ prefix: 'a', reverse: true, limit: 2 });
    expect(await keysOf(backend)).toEqual(['a1', 'b1', 'b2', 'c1']);
    await backend.clear({ gt: 'a1', lte: 'b2' });
    expect(await keysOf(backend)).toEqual(['a1', 'c1']);
    await backend.clear();
    expect(await backend.size()).toBe(0);
  });
});

describe('SqliteBackend files and lifecycle', () => {
  it('keeps data across close and reopen', async () => {
    const first = await openStore();
    await first.set('persisted', 'yes');
    await first.close();
    const second = await openStore();
    expect(await second.get('persisted')).toBe('yes');
  });

  it('opens the file in WAL mode with the configured synchronous level and busy timeout', async () => {
    const backend = await openStore({ durability: 'full', busyTimeout: 1234 });
    const database = new Database(backend.file);
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    database.close();
    const normal = new Database(join(directory, 'other.db'));
    const store = new SqliteBackend({ database: normal, busyTimeout: 777 });
    await store.open();
    expect(normal.pragma('synchronous', { simple: true })).toBe(1);
    expect(normal.pragma('busy_timeout', { simple: true })).toBe(777);
    await store.close();
    const durable = new SqliteBackend({ database: normal, durability: 'full' });
    await durable.open();
    expect(normal.pragma('synchronous', { simple: true })).toBe(2);
    await durable.close();
    normal.close();
  });

  it('checkpoints and truncates the WAL on flush', async () => {
    const backend = await openStore();
    for (let i = 0; i < 50; i++) await backend.set(`k${i}`, 'v'.repeat(1000));
    expect(statSync(`${backend.file}-wal`).size).toBeGreaterThan(0);
    await backend.flush();
    expect(statSync(`${backend.file}-wal`).size).toBe(0);
  });

  it('leaves a Database it was given open, unless told to close it', async () => {
    const database = new Database(join(directory, 'given.db'));
    const borrowing = new SqliteBackend({ database });
    await borrowing.open();
    await borrowing.set('k', 'v');
    await borrowing.close();
    expect(database.open).toBe(true);
    const owning = new SqliteBackend({ database, closeDatabase: true });
    await owning.open();
    expect(await owning.get('k')).toBe('v');
    await owning.close();
    expect(database.open).toBe(false);
  });

  it('uses the table it is told to, beside other tables', async () => {
    const users = await openStore({ table: 'users' });
    const orders = await openStore({ table: 'orders_2' });
    await users.set('k', 'user');
    await orders.set('k', 'order');
    expect(await users.get('k')).toBe('user');
    expect(await orders.get('k')).toBe('order');
  });

  it('declares what it supports, per file, memory and durability', () => {
    const normal = new SqliteBackend({ file: join(directory, 'a.db') });
    const full = new SqliteBackend({ file: join(directory, 'a.db'), durability: 'full' });
    const memory = new SqliteBackend({ file: ':memory:' });
    expect(normal.supports).toMatchObject({
      persistent: true,
      orderedIteration: true,
      atomicBatch: true,
      transactions: true,
      versions: false,
      nativeTtl: true,
      exactMembership: true,
      multiProcess: true,
      durability: ['none'],
    });
    expect(normal.supports.maxKeyBytes).toBeGreaterThanOrEqual(65536);
    expect(normal.supports.maxValueBytes).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(full.supports.durability).toEqual(['always']);
    expect(memory.supports).toMatchObject({
      persistent: false,
      multiProcess: false,
      transactions: false,
      durability: [],
    });
  });

  it.each([
    [undefined, 'none', 1],
    ['none', 'none', 1],
    ['normal', 'none', 1],
    ['batch', 'batch', 2],
    ['always', 'always', 2],
    ['full', 'always', 2],
  ] as const)(
    'takes durability %s as core level %s (synchronous = %i) and reports it',
    async (given, level, synchronous) => {
      const database = new Database(join(directory, `${String(given)}.db`));
      const backend = new SqliteBackend({ database, ...(given === undefined ? {} : { durability: given }) });
      expect(backend.supports.durability).toEqual([level]);
      await backend.open();
      expect(database.pragma('synchronous', { simple: true })).toBe(synchronous);
      await backend.close();
      database.close();
    },
  );

  it('works in memory, without a file', async () => {
    const backend = new SqliteBackend({ file: ':memory:' });
    opened.push(backend);
    await backend.open();
    await backend.set('k', 'v');
    await backend.flush();
    expect(await backend.get('k')).toBe('v');
  });
});

describe('SqliteBackend options', () => {
  it.each([
    ['a table name that is not an identifier', { table: 'drop table; --' }],
    ['a table name with a quote', { table: 'a"b' }],
    ['a table name longer than 64', { table: `t${'x'.repeat(64)}` }],
    ['an empty table name', { table: '' }],
    ['an unknown durability', { durability: 'paranoid' }],
    ['a negative busy timeout', { busyTimeout: -1 }],
    ['a fractional chunk size', { iterationChunkSize: 1.5 }],
    ['an empty file name', { file: '' }],
    ['a read-only memory store', { file: ':memory:', readonly: true }],
  ])('refuses %s with INVALID_CONFIG', (_, options) => {
    const create = () => new SqliteBackend({ file: join(directory, 'x.db'), ...options } as never);
    expect(create).toThrow(StowageError);
    try {
      create();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_CONFIG', origin: '@stowage/sqlite' });
    }
  });

  it('refuses both a file and a database, and neither', () => {
    const database = new Database(':memory:');
    expect(() => new SqliteBackend({ file: 'x.db', database } as never)).toThrow(/file or database/);
    expect(() => new SqliteBackend({} as never)).toThrow(/file/);
    database.close();
  });

  it.each([
    [{ tabel: 'users' }, 'table'],
    [{ durabilty: 'always' }, 'durability'],
    [{ readOnly: true }, 'readonly'],
    [{ busytimeout: 10 }, 'busyTimeout'],
    [{ closeDatabse: true }, 'closeDatabase'],
  ])(
    'refuses the misspelled option %o with INVALID_CONFIG naming %s, before touching the file',
    (misspelled, meant) => {
      const file = join(directory, 'never.db');
      let thrown: unknown;
      try {
        new SqliteBackend({ file, ...misspelled } as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'INVALID_CONFIG', origin: '@stowage/sqlite' });
      expect((thrown as Error).message).toContain(`did you mean "${meant}"`);
    },
  );

  it('refuses an option name nothing resembles, listing the known ones', () => {
    expect(() => new SqliteBackend({ file: 'x.db', compression: 'zstd' } as never)).toThrow(
      /unknown option "compression".*"iterationChunkSize"/,
    );
  });

  it.each([
    ['readonly', { readonly: 'yes' }],
    ['closeDatabase', { closeDatabase: 1 }],
  ])('refuses %s that is not a boolean', (name, options) => {
    expect(() => new SqliteBackend({ file: 'x.db', ...options } as never)).toThrow(
      new RegExp(`${name} must be true or false`),
    );
  });
});

async function keysOf(backend: SqliteBackend): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of backend.keys()) keys.push(key);
  return keys;
}
