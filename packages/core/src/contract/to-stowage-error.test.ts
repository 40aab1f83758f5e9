import { describe, expect, it } from 'vitest';
import { StowageError } from './errors.js';
import { codeOf, toStowageError } from './to-stowage-error.js';

function errno(code: string, message: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, ...(path === undefined ? {} : { path }) });
}

describe('toStowageError', () => {
  it('returns a StowageError unchanged, by identity', () => {
    const original = new StowageError('CORRUPTION', 'bad', { origin: '@stowage/log', file: 'a', offset: 3 });
    expect(toStowageError(original, '@stowage/other', 'reading')).toBe(original);
  });

  it('returns a StowageError of another installed copy of core unchanged', () => {
    const foreign = Object.assign(new Error('[x] y'), { code: 'LOCKED' });
    Object.defineProperty(foreign, Symbol.for('@stowage/core/StowageError'), { value: true });
    expect(toStowageError(foreign, 'o', 'c')).toBe(foreign);
  });

  it.each([
    ['EROFS', 'READ_ONLY'],
    ['EACCES', 'READ_ONLY'],
    ['EPERM', 'READ_ONLY'],
    ['ENOSPC', 'IO'],
    ['EIO', 'IO'],
    ['ENOENT', 'IO'],
    ['EMFILE', 'IO'],
    ['EBADF', 'IO'],
    ['SQLITE_READONLY', 'READ_ONLY'],
    ['SQLITE_READONLY_DBMOVED', 'READ_ONLY'],
    ['SQLITE_BUSY', 'LOCKED'],
    ['SQLITE_BUSY_SNAPSHOT', 'LOCKED'],
    ['SQLITE_LOCKED', 'LOCKED'],
    ['SQLITE_CORRUPT', 'CORRUPTION'],
    ['SQLITE_CORRUPT_INDEX', 'CORRUPTION'],
    ['SQLITE_NOTADB', 'CORRUPTION'],
    ['SQLITE_FULL', 'IO'],
    ['SQLITE_CANTOPEN', 'IO'],
    ['SQLITE_BUSYNESS', 'IO'], // not an extended code of SQLITE_BUSY
  ])('maps code %s to %s, with context, cause and origin', (code, expected) => {
    const original = errno(code, 'it failed');
    const error = toStowageError(original, '@stowage/test', 'cannot write data.csv');
    expect(error).toBeInstanceOf(StowageError);
    expect(error.code).toBe(expected);
    expect(codeOf(original)).toBe(expected);
    expect(error.message).toBe('[@stowage/test] cannot write data.csv: it failed');
    expect(error.cause).toBe(original);
    expect(error.origin).toBe('@stowage/test');
  });

  it('names the file of a Node fs error', () => {
    const error = toStowageError(errno('ENOSPC', 'no space', '/data/x.log'), 'o', 'append');
    expect(error.file).toBe('/data/x.log');
    expect(toStowageError(new Error('plain'), 'o', 'append').file).toBeUndefined();
  });

  it('maps errors without a code, and thrown non-errors, to IO', () => {
    const typeError = new TypeError('x is not a function');
    const fromTypeError = toStowageError(typeError, 'o', 'merge');
    expect(fromTypeError.code).toBe('IO');
    expect(fromTypeError.cause).toBe(typeError);
    expect(fromTypeError.message).toBe('[o] merge: x is not a function');
    const fromString = toStowageError('boom', 'o', 'merge');
    expect(fromString.code).toBe('IO');
    expect(fromString.message).toBe('[o] merge: boom');
    expect(toStowageError(undefined, 'o', 'merge').message).toBe('[o] merge: undefined');
    expect(toStowageError(Object.assign(new Error('n'), { code: 42 }), 'o', 'c').code).toBe('IO');
  });
});
