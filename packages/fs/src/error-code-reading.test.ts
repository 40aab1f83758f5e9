/**
 * Guarantee: errorCode reads a node-style `code` only when it is a string on an object, and
 * never throws, whatever was thrown: null, undefined, strings, numbers and objects whose
 * `code` is not a string have no code (so hasErrorCode is false for them).
 */
import { describe, expect, it } from 'vitest';
import { errorCode, hasErrorCode } from './errors.js';

describe('errorCode', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'ENOENT'],
    ['a number', 5],
    ['an object with a numeric code', { code: 5 }],
    ['an object with no code', {}],
  ])('finds no code on %s, without throwing', (_what, thrown) => {
    expect(errorCode(thrown)).toBeUndefined();
    expect(hasErrorCode(thrown, 'ENOENT')).toBe(false);
  });

  it('reads the string code of an error or a plain object', () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 'EIO' }))).toBe('EIO');
    expect(errorCode({ code: 'EROFS' })).toBe('EROFS');
  });
});
