import { describe, expect, it } from 'vitest';
import { StowageError } from './errors.js';
import { assertKnownOptions, closest, editDistance } from './known-options.js';

function refusal(given: unknown, known: readonly string[]): StowageError {
  try {
    assertKnownOptions('@stowage/test', given as object | undefined, known);
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error('the options were accepted');
}

describe('assertKnownOptions', () => {
  it('accepts undefined, an empty object and known names (whatever their values)', () => {
    expect(() => assertKnownOptions('o', undefined, ['table'])).not.toThrow();
    expect(() => assertKnownOptions('o', {}, [])).not.toThrow();
    expect(() => assertKnownOptions('o', { table: 'users', path: undefined }, ['path', 'table'])).not.toThrow();
  });

  it('refuses a misspelled name with INVALID_CONFIG naming the closest valid one', () => {
    const error = refusal({ tabel: 'users' }, ['path', 'table', 'durability']);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.origin).toBe('@stowage/test');
    expect(error.message).toBe('[@stowage/test] unknown option "tabel"; did you mean "table"?');
  });

  it.each([
    ['durablity', 'durability'],
    ['Table', 'table'],
    ['sweepIntervall', 'sweepInterval'],
    ['cahce', 'cache'],
    ['maxentries', 'maxEntries'],
  ])('suggests %s -> %s', (given, expected) => {
    expect(refusal({ [given]: 1 }, ['cache', 'durability', 'maxEntries', 'sweepInterval', 'table']).message).toContain(
      `did you mean "${expected}"?`,
    );
  });

  it('lists the known names instead of guessing when nothing is close', () => {
    const error = refusal({ colour: 'red' }, ['path', 'table']);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe('[@stowage/test] unknown option "colour" (known options: "path", "table")');
    expect(refusal({ x: 1 }, []).message).toBe('[@stowage/test] unknown option "x" (this takes no options)');
  });

  it('refuses the first unknown name even next to known ones', () => {
    expect(refusal({ path: '/tmp', tabel: 'x' }, ['path', 'table']).message).toContain('"tabel"');
  });

  it.each([
    ['null', null],
    ['a string', 'table'],
    ['a number', 3],
    ['an array', ['table']],
    ['a function', () => undefined],
  ])('refuses %s as options', (_, given) => {
    const error = refusal(given, ['table']);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/options must be an object/);
  });
});

describe('closest and editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('table', 'table')).toBe(0);
    expect(editDistance('tabel', 'table')).toBe(1);
    expect(editDistance('tble', 'table')).toBe(1);
    expect(editDistance('tablex', 'table')).toBe(1);
    expect(editDistance('tabxe', 'table')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ca', 'abc')).toBe(3);
  });

  it('allows at most 40% of the shorter name (and at least one edit)', () => {
    expect(closest('pth', ['path'])).toBe('path'); // 1 edit, 1 allowed
    expect(closest('pxtx', ['path'])).toBeUndefined(); // 2 edits, 1 allowed
    expect(closest('tbale', ['table'])).toBe('table');
    expect(closest('tzbxe', ['table'])).toBe('table'); // 2 edits of 5: allowed
    expect(closest('tzbxy', ['table'])).toBeUndefined(); // 3 edits of 5
    // The shorter name sets the allowance, whichever of the two it is.
    expect(closest('tab', ['table'])).toBeUndefined(); // 2 edits, 1 allowed for 3 characters
    expect(closest('table', ['tab'])).toBeUndefined();
  });

  it('refuses options that are not a plain object with INVALID_CONFIG from the given origin', () => {
    for (const given of [null, 'table', 5, ['table']]) {
      const error = refusal(given, ['table']);
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.origin).toBe('@stowage/test');
    }
  });

  it('prefers the nearest name, and the first listed on a tie', () => {
    expect(closest('maxByte', ['maxKeyBytes', 'maxBytes'])).toBe('maxBytes');
    expect(closest('ab', ['ax', 'ay'])).toBe('ax');
  });
});

describe('PersistentMap.open', () => {
  it('refuses a misspelled map option, naming the closest valid one', async () => {
    const { PersistentMap } = await import('../map/persistent-map.js');
    const { MapBackend } = await import('../test-backends.fixture.js');
    const backend = new MapBackend();
    const attempt = PersistentMap.open(backend, { sweepIntervall: 0 } as never);
    await expect(attempt).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: '[@stowage/core] unknown option "sweepIntervall"; did you mean "sweepInterval"?',
    });
    expect(backend.state).toBe('new'); // refused before the backend was opened
  });

  it('refuses a misspelled cache option for the mode given', async () => {
    const { PersistentMap } = await import('../map/persistent-map.js');
    const { MapBackend } = await import('../test-backends.fixture.js');
    await expect(
      PersistentMap.open(new MapBackend(), { cache: { mode: 'lru', maxEntry: 5 } as never }),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('did you mean "maxEntries"?') });
    // maxBytes means nothing to a full cache: refused rather than ignored.
    await expect(
      PersistentMap.open(new MapBackend(), { cache: { mode: 'full', maxBytes: 5 } as never }),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('"maxBytes"') });
    const map = await PersistentMap.open(new MapBackend(), {
      cache: { mode: 'lru', maxBytes: 1024 },
      sweepInterval: 0,
    });
    await map.close();
  });
});
