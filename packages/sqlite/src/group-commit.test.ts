import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';

const dir = tempDir('stowage-sqlite-group');

/**
 * An in-memory store whose table records every insert it sees, in order, with whether it
 * ran inside an explicit transaction (a group) or as an autocommit statement (a write alone);
 * an insert of `boom` is refused.
 */
async function recordingStore() {
  const database = new Database(':memory:');
  const seen: [string, boolean][] = [];
  database.function('seen', (key) => {
    seen.push([String(key), database.inTransaction]);
    return null;
  });
  const backend = new SqliteBackend({ database, closeDatabase: true });
  await backend.open();
  database.exec(
    `CREATE TRIGGER record BEFORE INSERT ON stowage BEGIN
       SELECT seen(NEW.key);
       SELECT RAISE(ABORT, 'refused') WHERE NEW.key = 'boom';
     END`,
  );
  return { backend, seen };
}

describe('SqliteBackend group commit', () => {
  it('commits the writes of one turn in one transaction, in call order, and a lone write by itself', async () => {
    const { backend, seen } = await recordingStore();
    await Promise.all([backend.set('a', '1'), backend.set('b', '2'), backend.set('c', '3')]);
    await backend.set('d', '4');
    await backend.set('e', '5');
    expect(seen).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
      ['d', false],
      ['e', false],
    ]);
    expect(await backend.getMany(['a', 'b', 'c', 'd', 'e'])).toEqual(['1', '2', '3', '4', '5']);
    await backend.close();
  });

  it('fails only the write SQLite refuses: the group is rolled back and retried write by write', async () => {
    const { backend, seen } = await recordingStore();
    const outcomes = await Promise.allSettled([backend.set('a', 'x'), backend.set('boom', 'x'), backend.set('c', 'x')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'IO', key: 'boom' });
    // The group stopped at `boom`; then each write ran alone.
    expect(seen).toEqual([
      ['a', true],
      ['boom', true],
      ['a', false],
      ['boom', false],
      ['c', false],
    ]);
    expect(await backend.getMany(['a', 'boom', 'c'])).toEqual(['x', undefined, 'x']);
    await backend.close();
  });

  it('fails a lone refused write alone, and the writes of the next turn still commit', async () => {
    const { backend } = await recordingStore();
    await expect(backend.set('boom', 'x')).rejects.toMatchObject({ code: 'IO', key: 'boom' });
    await Promise.all([backend.set('a', 'x'), backend.delete('a'), backend.set('b', 'y')]);
    expect(await backend.getMany(['boom', 'a', 'b'])).toEqual([undefined, undefined, 'y']);
    await backend.close();
  });

  it('fails the whole group without retrying each write when the write lock timed out', async () => {
    const file = join(dir(), 'locked.db');
    const backend = new SqliteBackend({ file, busyTimeout: 100 });
    await backend.open();
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const keys = Array.from({ length: 20 }, (_, index) => `k${index}`);
      const started = performance.now();
      const outcomes = await Promise.allSettled(keys.map((key) => backend.set(key, 'x')));
      const elapsed = performance.now() - started;
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'LOCKED', file } });
      }
      // One wait of the busy timeout for the group; retried one by one it would be 21 waits (2.1 s).
      expect(elapsed).toBeLessThan(1500);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    await backend.set('after', 'x');
    expect(await backend.get('after')).toBe('x');
    await backend.close();
  });

  it('keeps call order: a read called right after an unawaited write sees it', async () => {
    const backend = new SqliteBackend({ file: ':memory:' });
    await backend.open();
    const writes = [backend.set('k', 'one'), backend.set('k', 'two'), backend.set('gone', 'x'), backend.delete('gone')];
    const read = backend.getMany(['k', 'gone']);
    const size = backend.size();
    expect(await read).toEqual(['two', undefined]);
    expect(await size).toBe(1);
    expect(await Promise.all(writes)).toEqual([undefined, undefined, undefined, true]);
    await backend.close();
  });

  it('keeps the place of a clear: it removes the writes called before it and none called after', async () => {
    const backend = new SqliteBackend({ file: ':memory:' });
    await backend.open();
    const before = [backend.set('a', 'x'), backend.set('b', 'x')];
    const clear = backend.clear();
    const after = backend.set('c', 'x');
    await Promise.all([...before, clear, after]);
    expect(await backend.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, 'x']);
    await backend.close();
  });

  it('keeps the place of a flush: the writes called before it are in the checkpointed file', async () => {
    const file = join(dir(), 'flushed.db');
    const backend = new SqliteBackend({ file });
    await backend.open();
    const writes = [backend.set('a', 'x'), backend.set('b', 'y')];
    await backend.flush();
    // The checkpoint copied the WAL into the file and truncated it: the writes were committed first.
    expect(statSync(`${file}-wal`).size).toBe(0);
    await Promise.all(writes);
    await backend.close();
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare('SELECT key FROM stowage ORDER BY key').pluck().all()).toEqual(['a', 'b']);
    reader.close();
  });

  it('finishes writes still queued when the store closes', async () => {
    const database = new Database(':memory:');
    const backend = new SqliteBackend({ database });
    await backend.open();
    const write = backend.set('late', 'x');
    await backend.close();
    await write;
    expect(database.prepare('SELECT value FROM stowage WHERE key = ?').pluck().get('late')).toBe('x');
    database.close();
  });
});
