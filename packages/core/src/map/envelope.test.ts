import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import { unwrap, wrap } from './envelope.js';

const payloads = fc.oneof(fc.string({ unit: 'binary' }), fc.uint8Array());
const expiries = fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { nil: undefined });

describe('TTL envelope', () => {
  it('gives back every payload and expiry it wrapped', () => {
    fc.assert(
      fc.property(payloads, expiries, (payload, expiresAt) => {
        const back = unwrap(wrap(payload, expiresAt));
        expect(back.expiresAt).toBe(expiresAt);
        expect(back.payload).toEqual(payload);
        expect(typeof back.payload).toBe(typeof payload);
      }),
      { numRuns: 500 },
    );
  });

  it('stores a value without expiry exactly as the codec made it', () => {
    expect(wrap('{"a":1}', undefined)).toBe('{"a":1}');
    const bytes = new Uint8Array([0xff, 1]);
    expect(wrap(bytes, undefined)).toBe(bytes);
    expect(wrap('', undefined)).toBe('');
    expect(unwrap('')).toEqual({ payload: '', expiresAt: undefined });
  });

  it('escapes a payload that starts with 0x01 by an empty expiry', () => {
    expect(wrap('\x01abc', undefined)).toBe('\x01\x01\x01abc');
    expect(unwrap('\x01\x01\x01abc')).toEqual({ payload: '\x01abc', expiresAt: undefined });
    expect([...(wrap(new Uint8Array([1, 2]), undefined) as Uint8Array)]).toEqual([1, 1, 1, 2]);
  });

  it('writes the expiry as decimal digits between two 0x01', () => {
    expect(wrap('"v"', 1_700_000_000_000)).toBe('\x011700000000000\x01"v"');
    expect([...(wrap(new Uint8Array([]), 42) as Uint8Array)]).toEqual([1, 0x34, 0x32, 1]);
    expect(unwrap(new Uint8Array([1, 0x37, 1]))).toEqual({ payload: new Uint8Array([]), expiresAt: 7 });
  });

  it.each([
    ['text without a second mark', '\x01123'],
    ['text with a non-digit expiry', '\x0112a\x01x'],
    ['bytes without a second mark', new Uint8Array([1, 0x31])],
  ])('reports %s as DECODE_FAILED', (_, stored) => {
    expect(() => unwrap(stored)).toThrow(StowageError);
    try {
      unwrap(stored);
    } catch (error) {
      expect(StowageError.is(error, 'DECODE_FAILED')).toBe(true);
    }
  });
});
