import { describe, expect, it } from 'vitest';
import { MapBackend, TransactionalBackend } from '../test-backends.fixture.js';
import { StowageError } from './errors.js';
import { checkExpiry, checkFunction, checkValue, checkWriteOptions } from './input-checks.js';

const limits = { maxKeyBytes: 100, maxValueBytes: 12 };

function thrown(run: () => unknown): StowageError | undefined {
  try {
    run();
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  return undefined;
}

describe('maxValueBytes at its boundary, in 1-, 2-, 3- and 4-byte UTF-8 and in bytes', () => {
  // 12 is a multiple of 1, 2, 3 and 4: a value of exactly 12 bytes fits, one more byte does not.
  it.each([
    ['1-byte', 'a'],
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte', '😀'],
  ])('accepts a value of exactly maxValueBytes in %s characters and refuses one byte more', (_, char) => {
    const fits = char.repeat(12 / Buffer.byteLength(char));
    expect(Buffer.byteLength(fits)).toBe(12);
    expect(thrown(() => checkValue(fits, 'k', limits, 'origin'))).toBeUndefined();
    const error = thrown(() => checkValue(`${fits}a`, 'k', limits, 'origin'));
    expect(error?.code).toBe('INVALID_VALUE');
    expect(error?.message).toMatch(/got 13$/);
  });

  it('counts a Uint8Array by its length', () => {
    expect(thrown(() => checkValue(new Uint8Array(12), 'k', limits, 'origin'))).toBeUndefined();
    expect(thrown(() => checkValue(new Uint8Array(13), 'k', limits, 'origin'))?.code).toBe('INVALID_VALUE');
  });

  it('names the key and the engine in every refused value', () => {
    for (const value of ['x'.repeat(13), 'a\ud800', 42, new Uint8Array(13)]) {
      const error = thrown(() => checkValue(value, 'the-key', limits, '@stowage/somewhere'));
      expect(error?.code).toBe('INVALID_VALUE');
      expect(error?.key).toBe('the-key');
      expect(error?.origin).toBe('@stowage/somewhere');
    }
  });

  it('a backend refuses a value one byte over its limit, and stores one that fits', async () => {
    const backend = new MapBackend({ supports: { maxValueBytes: 12 } });
    await backend.open();
    await backend.set('k', '😀😀😀');
    await expect(backend.set('k', '😀😀😀a')).rejects.toThrow(StowageError);
    expect(backend.data.get('k')).toBe('😀😀😀');
    await backend.close();
  });
});

describe('the other write arguments', () => {
  it('takes no options, an object, and a finite expiry; refuses anything else with the origin', () => {
    expect(thrown(() => checkWriteOptions(undefined, 'o'))).toBeUndefined();
    expect(thrown(() => checkWriteOptions({}, 'o'))).toBeUndefined();
    expect(thrown(() => checkWriteOptions({ expiresAt: 0 }, 'o'))).toBeUndefined();
    expect(thrown(() => checkWriteOptions({ expiresAt: -5 }, 'o'))).toBeUndefined();
    for (const options of [null, [], 'x', 1, { expiresAt: Number.NaN }, { expiresAt: '5' }]) {
      const error = thrown(() => checkWriteOptions(options, 'the-origin'));
      expect(error?.code).toBe('INVALID_ARGUMENT');
      expect(error?.origin).toBe('the-origin');
    }
    expect(thrown(() => checkExpiry(undefined, 'o'))).toBeUndefined();
    expect(thrown(() => checkExpiry(Number.NEGATIVE_INFINITY, 'o'))?.code).toBe('INVALID_ARGUMENT');
  });

  it('takes a function for a transaction body and refuses anything else', async () => {
    expect(thrown(() => checkFunction(() => undefined, 'transaction', 'o'))).toBeUndefined();
    expect(thrown(() => checkFunction('body', 'transaction', 'o'))?.code).toBe('INVALID_ARGUMENT');
    const backend = new TransactionalBackend();
    await backend.open();
    await expect(backend.transaction('body' as never)).rejects.toThrow(StowageError);
    expect(backend.commits).toBe(0);
    await backend.close();
  });
});
