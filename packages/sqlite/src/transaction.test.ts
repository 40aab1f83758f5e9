import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@stowage/conformance';
import { PersistentMap, StowageError } from '@stowage/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';

const dir = tempDir('stowage-sqlite-tx');
let directory: string;
let backend: SqliteBackend;

beforeEach(async () => {
  directory = dir();
  backend = new SqliteBackend({ file: join(directory, 'store.db') });
  await backend.open();
});
afterEach(async () => {
  await backend.close();
});

describe('SqliteBackend transactions', () => {
  it('lets the first of two transactions on one key commit and fails the second with CONFLICT', async () => {
    await backend.set('counter', '0');
    let firstRead!: () => void;
    const bothRead = new Promise<void>((resolve) => {
      firstRead = resolve;
    });
    const increment = (wait: Promise<void>) =>
      backend.transaction(async (tx) => {
        const value = Number(await tx.get('counter'));
        firstRead();
        await wait;
        await tx.set('counter', String(value + 1));
      });
    const first = increment(Promise.resolve());
    const second = increment(bothRead);
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    expect(StowageError.is((b as PromiseRejectedResult).reason, 'CONFLICT')).toBe(true);
    expect(await backend.get('counter')).toBe('1');
  });

  it('starts each transaction from a fresh snapshot, also on a reused connection', async () => {
    for (const value of ['v1', 'v2', 'v3']) {
      await backend.set('k', value);
      const seen = await backend.transaction(async (tx) => tx.get('k'));
      expect(seen).toBe(value);
    }
    const failed = backend.transaction(async (tx) => {
      await tx.get('k');
      throw new Error('abandon');
    });
    await expect(failed).rejects.toThrow('abandon');
    await backend.set('k', 'v4');
    expect(await backend.transaction(async (tx) => tx.get('k'))).toBe('v4');
  });

  it('commits the expiry of its writes, so the sweep finds them', async () => {
    await backend.transaction(async (tx) => {
      await tx.set('short', 'x', { expiresAt: 1_000 });
      await tx.set('long', 'x');
    });
    expect(await backend.sweepExpired(2_000)).toBe(1);
    expect(await backend.get('long')).toBe('x');
  });

  it('compares rows, not versions: a key rewritten with the same value is no conflict', async () => {
    await backend.set('k', 'same');
    await backend.transaction(async (tx) => {
      expect(await tx.get('k')).toBe('same');
      await backend.set('k', 'same');
      await tx.set('other', 'x');
    });
    expect(await backend.get('other')).toBe('x');
  });

  it('sees an expiry change made outside as a conflict', async () => {
    await backend.set('k', 'v');
    const outcome = backend.transaction(async (tx) => {
      await tx.get('k');
      await backend.set('k', 'v', { expiresAt: 99_999 });
      await tx.set('k', 'w');
    });
    await expect(outcome).rejects.toMatchObject({ code: 'CONFLICT', key: 'k' });
    expect(await backend.get('k')).toBe('v');
  });

  it('refuses calls on a transaction after it ended, and bad arguments inside it', async () => {
    let leaked: Parameters<Parameters<SqliteBackend['transaction']>[0]>[0] | undefined;
    await backend.transaction(async (tx) => {
      leaked = tx;
      await expect(tx.set('', 'x' as never)).resolves.toBeUndefined();
      await expect(tx.set('k', 42 as never)).rejects.toMatchObject({ code: 'INVALID_VALUE' });
      await expect(tx.get(7 as never)).rejects.toMatchObject({ code: 'INVALID_KEY' });
    });
    await expect(leaked!.get('k')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('transaction is over'),
    });
    await expect(leaked!.set('late', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await backend.get('')).toBe('x');
    expect(await backend.has('late')).toBe(false);
  });

  it('refuses an expiry that is not a finite number inside a transaction, writing nothing (core rule)', async () => {
    for (const expiresAt of [Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(backend.transaction(async (tx) => tx.set('k', 'v', { expiresAt }))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    expect(await backend.has('k')).toBe(false);
  });

  it("hands a body's own error back by identity and writes nothing (raw backend and PersistentMap)", async () => {
    const failure = new Error('the body gave up');
    const thrown = await backend
      .transaction(async (tx) => {
        await tx.set('k', 'raw');
        throw failure;
      })
      .catch((error: unknown) => error);
    expect(thrown).toBe(failure);
    expect(await backend.has('k')).toBe(false);

    // An error of the body that carries a driver's `code` is still the body's own: not mapped.
    const lookalike = Object.assign(new Error('mine'), { code: 'SQLITE_BUSY' });
    await expect(backend.transaction(async () => Promise.reject(lookalike))).rejects.toBe(lookalike);

    const map = await PersistentMap.open<string, string>(backend);
    const custom = { notAnError: true };
    const fromMap = await map
      .transaction(async (tx) => {
        await tx.set('k', 'map');
        throw custom;
      })
      .catch((error: unknown) => error);
    expect(fromMap).toBe(custom);
    expect(await map.has('k')).toBe(false);
    await map.close();
  });

  it('closes or parks its snapshot connections: many transactions leave no file open', async () => {
    // Linux: every connection holds file descriptors (database, WAL, shared memory).
    const openFiles = () => readdirSync('/proc/self/fd').length;
    await backend.transaction(async () => undefined);
    const before = openFiles();
    for (let i = 0; i < 200; i++) {
      await backend.transaction(async (tx) => {
        await tx.set(`k${i}`, String(i));
      });
    }
    expect(await backend.size()).toBe(200);
    expect(openFiles()).toBeLessThanOrEqual(before + 2);
  });

  it('is not offered in memory', async () => {
    const memory = new SqliteBackend({ file: ':memory:' });
    await memory.open();
    await expect(memory.transaction(async () => undefined)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await memory.close();
  });
});
