import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StowageErrorCode } from './errors.js';

// Every code, checked by the compiler both ways: a new code in errors.ts fails type-checking here.
const codes = {
  STORE_CLOSED: true,
  INVALID_KEY: true,
  INVALID_VALUE: true,
  ENCODE_FAILED: true,
  DECODE_FAILED: true,
  CORRUPTION: true,
  IO: true,
  LOCKED: true,
  READ_ONLY: true,
  CONFLICT: true,
  NOT_SUPPORTED: true,
  INVALID_CONFIG: true,
  INVALID_ARGUMENT: true,
  CAPACITY: true,
} satisfies Record<StowageErrorCode, true>;

describe('the core README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it.each(Object.keys(codes))('documents the error code %s in the errors table', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` +\\| +\\S`, 'm'));
  });
});
