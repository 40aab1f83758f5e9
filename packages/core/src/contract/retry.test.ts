import { describe, expect, it } from 'vitest';
import { codeOf, TransactionalBackend } from '../test-backends.fixture.js';
import { StowageError } from './errors.js';
import { withRetry } from './retry.js';
import type { StorageBackend } from './storage-backend.js';

describe('withRetry', () => {
  it('runs at most retries + 1 times on CONFLICT, numbering the attempts, then hands back the last CONFLICT', async () => {
    const attempts: number[] = [];
    const conflicts: StowageError[] = [];
    const error = await withRetry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempts.length > 20) throw new Error('runaway: retried past any count asked for');
        const conflict = new StowageError('CONFLICT', `lost ${attempt}`);
        conflicts.push(conflict);
        throw conflict;
      },
      { retries: 4 },
    ).catch((caught: unknown) => caught);
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
    expect(error).toBe(conflicts[4]);
  });

  it('defaults to 3 retries and 0 means one run', async () => {
    let runs = 0;
    const conflict = async () => {
      runs++;
      if (runs > 20) throw new Error('runaway: retried past any count asked for');
      throw new StowageError('CONFLICT', 'lost');
    };
    expect(await codeOf(withRetry(conflict))).toBe('CONFLICT');
    expect(runs).toBe(4);
    runs = 0;
    expect(await codeOf(withRetry(conflict, { retries: 0 }))).toBe('CONFLICT');
    expect(runs).toBe(1);
  });

  it('hands any other failure back at once, by identity', async () => {
    const mine = new RangeError('not a conflict');
    let runs = 0;
    const error = await withRetry(async () => {
      runs++;
      throw mine;
    }).catch((caught: unknown) => caught);
    expect(error).toBe(mine);
    expect(runs).toBe(1);
  });

  it.each([
    ['a negative count', { retries: -1 }],
    ['a fraction', { retries: 1.5 }],
    ['Infinity', { retries: Number.POSITIVE_INFINITY }],
    ['a string', { retries: '3' }],
    ['a misspelled name', { retry: 3 }],
    ['null options', null],
  ])('refuses %s with INVALID_ARGUMENT before running anything', async (_, options) => {
    let runs = 0;
    const error = await withRetry(async () => runs++, options as never).catch((caught: unknown) => caught);
    expect(StowageError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(runs).toBe(0);
  });

  it('refuses an operation that is not a function', async () => {
    expect(await codeOf(withRetry('again' as never))).toBe('INVALID_ARGUMENT');
  });

  it('covers a raw backend transaction (the log engine use): concurrent increments, none lost', async () => {
    const backend: StorageBackend = new TransactionalBackend();
    await backend.open();
    await backend.set('n', '0');
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withRetry(
          (attempt) => {
            if (attempt > 1) conflicts++;
            return backend.transaction!(async (tx) => {
              const n = Number(await tx.get('n'));
              await tx.set('n', String(n + 1));
            });
          },
          { retries: 1000 },
        ),
      ),
    );
    expect(await backend.get('n')).toBe('20');
    expect(conflicts).toBeGreaterThan(0); // the retries were needed, not decorative
    await backend.close();
  });
});
