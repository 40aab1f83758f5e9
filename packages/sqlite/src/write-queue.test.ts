import type { BatchOperation } from '@stowage/core';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';
import { WriteQueue } from './write-queue.js';

const set = (key: string): BatchOperation => ({ type: 'set', key, value: key });

function recordingQueue(fail: (operation: BatchOperation) => unknown = () => undefined) {
  const calls: string[][] = [];
  const writeOne = (operation: BatchOperation) => {
    calls.push([operation.key]);
    const error = fail(operation);
    if (error) throw error;
    return 1;
  };
  const writeAll = (operations: BatchOperation[]) => {
    calls.push(operations.map((operation) => operation.key));
    for (const operation of operations) {
      const error = fail(operation);
      if (error) throw error;
    }
    return operations.map(() => 1);
  };
  const queue = new WriteQueue(writeOne, writeAll, (error) => (error as { code?: string }).code !== 'SQLITE_BUSY');
  return { queue, calls };
}

describe('WriteQueue', () => {
  it('commits the writes of one turn together, in call order, and resolves each', async () => {
    const { queue, calls } = recordingQueue();
    const results = await Promise.all(['a', 'b', 'c'].map((key) => queue.write(set(key))));
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(results).toEqual([1, 1, 1]);
  });

  it('commits a lone write by itself, and each later turn separately', async () => {
    const { queue, calls } = recordingQueue();
    await queue.write(set('a'));
    await queue.write(set('b'));
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('commits at once when drained, before the end of the turn', async () => {
    const { queue, calls } = recordingQueue();
    const first = queue.write(set('a'));
    const second = queue.write(set('b'));
    queue.drain();
    expect(calls).toEqual([['a', 'b']]);
    await Promise.all([first, second]);
    expect(calls).toHaveLength(1);
  });

  it('retries a failed group write by write, so only the write at fault fails', async () => {
    const refused = Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT' });
    const { queue, calls } = recordingQueue((operation) => (operation.key === 'bad' ? refused : undefined));
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((key) => queue.write(set(key))));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBe(refused);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('fails the whole group without retrying when the lock timed out', async () => {
    const busy = Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' });
    const { queue, calls } = recordingQueue(() => busy);
    const outcomes = await Promise.allSettled(['a', 'b'].map((key) => queue.write(set(key))));
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason === busy)).toBe(true);
    expect(calls).toEqual([['a', 'b']]);
  });
});

describe('SqliteBackend group commit', () => {
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

  it('fails only the write SQLite refuses among writes committed together', async () => {
    const database = new Database(':memory:');
    const backend = new SqliteBackend({ database, closeDatabase: true });
    await backend.open();
    database.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON stowage WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    const outcomes = await Promise.allSettled([backend.set('a', 'x'), backend.set('boom', 'x'), backend.set('c', 'x')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'IO', key: 'boom' });
    expect(await backend.getMany(['a', 'boom', 'c'])).toEqual(['x', undefined, 'x']);
    await backend.close();
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
