/** Options are checked at construction: unknown names and bad levels are INVALID_CONFIG naming what is accepted. */
import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { SegmentBackend, type SegmentBackendOptions } from './index.js';

function configError(options: unknown): StowageError {
  try {
    new SegmentBackend(options as SegmentBackendOptions);
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('segment options', () => {
  it('refuses an unknown durability level, listing the levels and the closest one', () => {
    const error = configError({ dir: '/nowhere', durability: 'batc' });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.origin).toBe('@stowage/segment');
    expect(error.message).toContain('"none", "batch", "always"');
    expect(error.message).toContain('did you mean "batch"');
  });

  it('refuses a level given as another type', () => {
    expect(configError({ dir: '/nowhere', durability: 1 }).code).toBe('INVALID_CONFIG');
  });

  it('refuses an out-of-range size with the range', () => {
    const error = configError({ dir: '/nowhere', memtableBytes: 10 });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('memtableBytes must be an integer from 1024');
  });
});
