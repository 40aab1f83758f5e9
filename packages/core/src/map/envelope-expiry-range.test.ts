import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import type { StorageBackend } from '../contract/storage-backend.js';
import { expiryOf, keepsExpiry, MAX_EXPIRES_AT, storedValue, unwrap, wrap } from './envelope.js';

function codeThrown(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return StowageError.is(error) ? error.code : `not a StowageError: ${String(error)}`;
  }
  return undefined;
}

const outOfRange = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_EXPIRES_AT + 2];

describe('an expiry is an integer from 0 to MAX_EXPIRES_AT, whichever way it travels', () => {
  it.each(outOfRange)('refuses %d in an envelope and beside a bare value', (expiresAt) => {
    expect(codeThrown(() => wrap('"v"', expiresAt))).toBe('INVALID_ARGUMENT');
    expect(codeThrown(() => wrap(new Uint8Array([5]), expiresAt))).toBe('INVALID_ARGUMENT');
    expect(codeThrown(() => storedValue('"v"', expiresAt, false))).toBe('INVALID_ARGUMENT');
    expect(codeThrown(() => storedValue('"v"', expiresAt, true))).toBe('INVALID_ARGUMENT');
  });

  it.each([0, 1, MAX_EXPIRES_AT])('keeps %d, the edges of the range, through an envelope', (expiresAt) => {
    expect(unwrap(wrap('"v"', expiresAt))).toEqual({ payload: '"v"', expiresAt });
    expect(unwrap(wrap(new Uint8Array([7]), expiresAt))).toEqual({ payload: new Uint8Array([7]), expiresAt });
    expect(expiryOf(storedValue('"v"', expiresAt, false))).toBe(expiresAt);
  });

  it('stores a value bare for a backend that keeps expiries, escaping only a payload that starts with 0x01', () => {
    expect(storedValue('"v"', 1_000, true)).toBe('"v"');
    expect(storedValue('"v"', undefined, true)).toBe('"v"');
    expect(storedValue('\x01x', 1_000, true)).toBe('\x01\x01\x01x');
    expect(storedValue('"v"', 1_000, false)).toBe('\x011000\x01"v"');
  });

  it('refuses an envelope with more than 16 digits, or a number above MAX_EXPIRES_AT', () => {
    // 17 digits that still make a small number: only the length can tell.
    expect(codeThrown(() => unwrap('\x0100000000000000001\x01"v"'))).toBe('DECODE_FAILED');
    expect(codeThrown(() => unwrap(`\x01${MAX_EXPIRES_AT + 1}\x01"v"`))).toBe('DECODE_FAILED');
    expect(unwrap('\x010000000000000001\x01"v"')).toEqual({ payload: '"v"', expiresAt: 1 });
    const bytes = new Uint8Array([1, ...Buffer.from('00000000000000001'), 1, 9]);
    expect(codeThrown(() => unwrap(bytes))).toBe('DECODE_FAILED');
    expect(codeThrown(() => unwrap(new Uint8Array([1, 0x31, 0x61, 1])))).toBe('DECODE_FAILED');
  });

  it('takes a text envelope apart at its second mark, even when the payload holds more marks', () => {
    expect(unwrap('\x0112\x01a\x01b')).toEqual({ payload: 'a\x01b', expiresAt: 12 });
    expect(unwrap(new Uint8Array([1, 0x31, 0x32, 1, 1, 2]))).toEqual({
      payload: new Uint8Array([1, 2]),
      expiresAt: 12,
    });
    expect(unwrap('\x01\x01')).toEqual({ payload: '', expiresAt: undefined });
  });
});

describe('expiryOf: the expiry of a stored value without its payload', () => {
  it('prefers the expiry the backend kept', () => {
    expect(expiryOf('"v"', 7)).toBe(7);
    expect(expiryOf(wrap('"v"', 9), 7)).toBe(7);
  });

  it("reads an envelope's expiry, and none from a bare value or an escaped one", () => {
    expect(expiryOf(wrap('"v"', 1234))).toBe(1234);
    expect(expiryOf(wrap(new Uint8Array([3]), 56))).toBe(56);
    expect(expiryOf('"v"')).toBeUndefined();
    expect(expiryOf(new Uint8Array([2, 1]))).toBeUndefined();
    expect(expiryOf(wrap('\x01v', undefined))).toBeUndefined();
  });

  it('gives undefined for a malformed envelope instead of throwing', () => {
    expect(expiryOf('\x01123')).toBeUndefined();
    expect(expiryOf(new Uint8Array([1, 0x61, 1]))).toBeUndefined();
  });
});

describe('keepsExpiry: core leaves the envelope out only for a backend that can give expiries back', () => {
  const reads = { getWithExpiry: async () => undefined, entriesWithExpiry: async function* () {} };
  const backend = (storesExpiry: boolean, methods: Partial<typeof reads>) =>
    ({ supports: { storesExpiry }, ...methods }) as unknown as StorageBackend;

  it('needs the flag and both reads', () => {
    expect(keepsExpiry(backend(true, reads))).toBe(true);
    expect(keepsExpiry(backend(false, reads))).toBe(false);
    expect(keepsExpiry(backend(true, { getWithExpiry: reads.getWithExpiry }))).toBe(false);
    expect(keepsExpiry(backend(true, { entriesWithExpiry: reads.entriesWithExpiry }))).toBe(false);
  });
});
