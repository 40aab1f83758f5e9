import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { errorCode, fileError, hasErrorCode } from './errors.js';

const nodeError = (code: string) => Object.assign(new Error(`${code}: something`), { code });

describe('fileError', () => {
  it('turns EIO and ENOSPC into IO naming the file, origin and cause', () => {
    for (const code of ['EIO', 'ENOSPC', 'ENOENT']) {
      const cause = nodeError(code);
      const error = fileError(cause, { origin: '@stowage/log', file: '/db/1.log', action: 'append to' });
      expect(error).toBeInstanceOf(StowageError);
      expect(error.code).toBe('IO');
      expect(error.origin).toBe('@stowage/log');
      expect(error.file).toBe('/db/1.log');
      expect(error.cause).toBe(cause);
      expect(error.message).toContain('append to /db/1.log');
      expect(error.message).toContain(code);
    }
  });

  it('turns EROFS, EACCES and EPERM into READ_ONLY', () => {
    for (const code of ['EROFS', 'EACCES', 'EPERM']) {
      expect(fileError(nodeError(code), { origin: '@stowage/csv', file: 'x' }).code).toBe('READ_ONLY');
    }
  });

  it('passes a StowageError through unchanged', () => {
    const original = new StowageError('CORRUPTION', 'bad', { origin: '@stowage/log' });
    expect(fileError(original, { origin: '@stowage/fs', file: 'x' })).toBe(original);
  });

  it('wraps a value that is not an Error', () => {
    const error = fileError('boom', { origin: '@stowage/fs', file: 'x', key: 'k' });
    expect(error.code).toBe('IO');
    expect(error.key).toBe('k');
    expect(error.message).toContain('boom');
  });
});

describe('errorCode', () => {
  it('reads the code of node errors only', () => {
    expect(errorCode(nodeError('EEXIST'))).toBe('EEXIST');
    expect(errorCode(new Error('plain'))).toBeUndefined();
    expect(errorCode(null)).toBeUndefined();
    expect(hasErrorCode(nodeError('ENOENT'), 'ENOENT')).toBe(true);
    expect(hasErrorCode(nodeError('ENOENT'), 'EIO')).toBe(false);
  });

  it('maps EROFS to READ_ONLY always, and EACCES/EPERM to READ_ONLY on writes but IO on reads', () => {
    const file = '/db/1.log';
    expect(fileError(nodeError('EROFS'), { origin: '@stowage/log', file, access: 'read' }).code).toBe('READ_ONLY');
    for (const code of ['EACCES', 'EPERM']) {
      expect(fileError(nodeError(code), { origin: '@stowage/log', file }).code).toBe('READ_ONLY');
      expect(fileError(nodeError(code), { origin: '@stowage/log', file, access: 'write' }).code).toBe('READ_ONLY');
      expect(fileError(nodeError(code), { origin: '@stowage/log', file, access: 'read' }).code).toBe('IO');
    }
  });
});
