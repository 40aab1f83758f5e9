import { PersistentMap, StowageError, withRetry } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

describe('transactions', () => {
  it('reads one snapshot plus its own writes', async () => {
    const log = await openLog();
    await log.set('a', 'old');
    const seen: unknown[] = [];
    await expect(
      log.transaction(async (tx) => {
        seen.push(await tx.get('a'));
        await log.set('a', 'new'); // another writer commits after the snapshot
        await log.set('fresh', 'x');
        seen.push(await tx.get('a'), await tx.get('fresh'));
        await tx.set('a', 'mine');
        seen.push(await tx.get('a'));
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', key: 'a' });
    expect(seen).toEqual(['old', 'old', undefined, 'mine']);
    expect(await log.get('a')).toBe('new');
  });

  it('a snapshot read of a key deleted after it began still sees the old value', async () => {
    const log = await openLog();
    await log.set('gone', 'was here');
    const result = await log
      .transaction(async (tx) => {
        await log.delete('gone');
        return tx.get('gone');
      })
      .catch((error: unknown) => error);
    expect(result).toBe('was here'); // read-only: nothing to commit, nothing to conflict with
  });

  it('a write-write conflict rejects with CONFLICT and writes nothing', async () => {
    const log = await openLog();
    await expect(
      log.transaction(async (tx) => {
        await tx.set('b', 'from tx');
        await tx.set('c', 'from tx');
        await log.set('b', 'outside');
      }),
    ).rejects.toSatisfy((error) => StowageError.is(error, 'CONFLICT'));
    expect(await log.get('b')).toBe('outside');
    expect(await log.get('c')).toBeUndefined();
  });

  it('commits atomically, with consecutive sequence numbers, when nothing it touched changed', async () => {
    const log = await openLog();
    await log.set('unrelated', '0');
    const result = await log.transaction(async (tx) => {
      await tx.set('x', '1');
      await log.set('unrelated', '1');
      await tx.set('y', new Uint8Array([2]));
      expect(await tx.delete('missing')).toBe(false);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await log.getMany(['x', 'y', 'unrelated'])).toEqual(['1', new Uint8Array([2]), '1']);
    const [x] = await log.versions('x');
    const [y] = await log.versions('y');
    expect(y!.sequence).toBe(x!.sequence + 1);
  });

  it('deletes inside a transaction', async () => {
    const log = await openLog();
    await log.set('d', '1');
    await log.transaction(async (tx) => {
      expect(await tx.delete('d')).toBe(true);
      expect(await tx.get('d')).toBeUndefined();
    });
    expect(await log.has('d')).toBe(false);
  });

  it('an aborted body writes nothing, and its own error reaches the caller as the same object', async () => {
    const log = await openLog();
    const mine = new Error('changed my mind');
    const caught = await log
      .transaction(async (tx) => {
        await tx.set('never', '1');
        throw mine;
      })
      .catch((error: unknown) => error);
    expect(caught).toBe(mine);
    expect(await log.get('never')).toBeUndefined();
  });

  it('a body that throws a non-Error value gets that value back unchanged', async () => {
    const log = await openLog();
    const thrown = { reason: 'not an Error' };
    await expect(
      log.transaction(async () => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
  });

  it("the body's own error reaches the caller of PersistentMap.transaction unchanged too", async () => {
    const map = await PersistentMap.open<string, string>(new LogBackend({ dir: tempDir() }));
    const mine = new TypeError('my own bug');
    const caught = await map
      .transaction(async (tx) => {
        await tx.set('k', 'v');
        throw mine;
      })
      .catch((error: unknown) => error);
    expect(caught).toBe(mine);
    expect(await map.get('k')).toBeUndefined();
    await map.close();
  });

  it('a transaction cannot be used after it ended', async () => {
    const log = await openLog();
    let escaped: { set(key: string, value: string): Promise<void> } | undefined;
    await log.transaction(async (tx) => {
      escaped = tx;
    });
    await expect(escaped!.set('late', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it("core's withRetry runs the body again until it wins, so no increment is lost", async () => {
    const log = await openLog();
    await log.set('counter', '0');
    const increment = () =>
      withRetry(
        () =>
          log.transaction(async (tx) => {
            const current = Number(await tx.get('counter'));
            await new Promise((resolve) => setImmediate(resolve));
            await tx.set('counter', String(current + 1));
          }),
        { retries: 100 },
      );
    await Promise.all(Array.from({ length: 10 }, increment));
    expect(await log.get('counter')).toBe('10');
  });

  it('validates keys and values inside the transaction', async () => {
    const log = await openLog();
    await expect(log.transaction((tx) => tx.set('', 5 as unknown as string))).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
  });
});
