import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import { compareKeys } from '../contract/keys.js';
import { bytesCodec, jsonCodec, numberKeys, stringKeys, structuredCodec, utf8Codec } from './codecs.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return StowageError.is(error) ? error.code : `not a StowageError: ${String(error)}`;
  }
  return undefined;
}

describe('jsonCodec', () => {
  it('round-trips JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // JSON itself turns -0 into 0.
        expect(jsonCodec.decode(jsonCodec.encode(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('decodes JSON given as UTF-8 bytes', () => {
    expect(jsonCodec.decode(new TextEncoder().encode('{"a":[1,"é"]}'))).toEqual({ a: [1, 'é'] });
  });

  it.each([
    ['a BigInt', 1n],
    ['a nested BigInt', { a: [1n] }],
    ['a function', () => 1],
    ['a function member', { f: () => 1 }],
    ['a symbol', Symbol('s')],
    ['NaN', Number.NaN],
    ['Infinity inside an array', [Number.POSITIVE_INFINITY]],
    ['a Map', new Map([[1, 2]])],
    ['a Set member', { s: new Set([1]) }],
    ['a typed array', new Uint8Array([1])],
    ['undefined', undefined],
  ])('refuses %s with ENCODE_FAILED', (_, value) => {
    expect(codeOf(() => jsonCodec.encode(value))).toBe('ENCODE_FAILED');
  });

  it('refuses a cycle with ENCODE_FAILED and keeps the cause', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    try {
      jsonCodec.encode(cyclic);
      expect.unreachable();
    } catch (error) {
      expect(StowageError.is(error, 'ENCODE_FAILED')).toBe(true);
      expect((error as Error).cause).toBeInstanceOf(TypeError);
    }
  });

  it('reports text that is not JSON, and bytes that are not UTF-8, as DECODE_FAILED', () => {
    expect(codeOf(() => jsonCodec.decode('{nope'))).toBe('DECODE_FAILED');
    expect(codeOf(() => jsonCodec.decode(new Uint8Array([0xff, 0xfe])))).toBe('DECODE_FAILED');
  });
});

describe('codec errors', () => {
  function thrown(run: () => unknown): StowageError {
    try {
      run();
    } catch (error) {
      if (StowageError.is(error)) return error;
      throw error;
    }
    throw new Error('nothing was thrown');
  }

  it('keep the parse or UTF-8 error that made a decode fail as the cause', () => {
    expect(thrown(() => jsonCodec.decode('{nope')).cause).toBeInstanceOf(SyntaxError);
    expect(thrown(() => jsonCodec.decode(new Uint8Array([0xff, 0xfe]))).cause).toBeInstanceOf(TypeError);
    expect(thrown(() => utf8Codec.decode(new Uint8Array([0xc3]))).cause).toBeInstanceOf(TypeError);
    const garbage = thrown(() => structuredCodec.decode(new Uint8Array([0xff, 0x0f, 0x99, 0x99])));
    expect(garbage.code).toBe('DECODE_FAILED');
    expect(garbage.cause).toBeInstanceOf(Error);
  });

  it('refuses a symbol or a function as an object member with JSON, rather than dropping it', () => {
    expect(thrown(() => jsonCodec.encode({ s: Symbol('s') })).code).toBe('ENCODE_FAILED');
    expect(thrown(() => jsonCodec.encode([{ deep: { f: () => 1 } }])).code).toBe('ENCODE_FAILED');
  });

  it("throws JSON's own refusal of a member as it is, naming the member, not as a failed stringify", () => {
    const error = thrown(() => jsonCodec.encode({ list: [1, 2n] }));
    expect(error.code).toBe('ENCODE_FAILED');
    expect(error.cause).toBeUndefined();
    expect(error.message).toContain('at member "1"');
  });
});

describe('structuredCodec', () => {
  it('keeps Map, Set, Date, BigInt, typed arrays, NaN and cycles', () => {
    const cyclic: { self?: unknown; n: number } = { n: Number.NaN };
    cyclic.self = cyclic;
    const value = {
      map: new Map<unknown, unknown>([['a', 1n]]),
      set: new Set([1, 'two']),
      date: new Date(1_700_000_000_000),
      big: -(2n ** 70n),
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([0.5, -1]),
      cyclic,
    };
    const back = structuredCodec.decode<typeof value>(structuredCodec.encode(value));
    expect(back.map).toEqual(value.map);
    expect(back.set).toEqual(value.set);
    expect(back.date).toEqual(value.date);
    expect(back.big).toBe(value.big);
    expect(back.bytes).toEqual(value.bytes);
    expect(back.floats).toBeInstanceOf(Float64Array);
    expect([...back.floats]).toEqual([0.5, -1]);
    expect(back.cyclic.self).toBe(back.cyclic);
  });

  it('round-trips arbitrary structured values', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true }), (value) => {
        expect(structuredCodec.decode(structuredCodec.encode(value))).toEqual(value);
      }),
    );
  });

  it('refuses functions and symbols with ENCODE_FAILED', () => {
    expect(codeOf(() => structuredCodec.encode({ f: () => 1 }))).toBe('ENCODE_FAILED');
    expect(codeOf(() => structuredCodec.encode(Symbol('s')))).toBe('ENCODE_FAILED');
  });

  it('reports text as DECODE_FAILED', () => {
    expect(codeOf(() => structuredCodec.decode('text'))).toBe('DECODE_FAILED');
  });
});

describe('bytesCodec and utf8Codec', () => {
  it('store bytes and strings as they are', () => {
    const bytes = new Uint8Array([0, 1, 255]);
    expect(bytesCodec.encode(bytes)).toBe(bytes);
    expect(bytesCodec.decode(bytes)).toBe(bytes);
    expect(utf8Codec.encode('héllo 👋')).toBe('héllo 👋');
    expect(utf8Codec.decode(new TextEncoder().encode('héllo 👋'))).toBe('héllo 👋');
  });

  it('refuse values of the wrong type and lone surrogates', () => {
    expect(codeOf(() => bytesCodec.encode('text' as unknown as Uint8Array))).toBe('ENCODE_FAILED');
    expect(codeOf(() => bytesCodec.decode('text'))).toBe('DECODE_FAILED');
    expect(codeOf(() => utf8Codec.encode(5 as unknown as string))).toBe('ENCODE_FAILED');
    expect(codeOf(() => utf8Codec.encode('\ud800'))).toBe('ENCODE_FAILED');
  });
});

describe('key codecs', () => {
  it('stringKeys is the identity', () => {
    expect(stringKeys.encode('a:b')).toBe('a:b');
    expect(stringKeys.decode('a:b')).toBe('a:b');
  });

  const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

  it('numberKeys sorts in code-point order exactly as the numbers sort', () => {
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        const byKey = Math.sign(compareKeys(numberKeys.encode(a), numberKeys.encode(b)));
        expect(byKey).toBe(Math.sign(a - b) || 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('numberKeys round-trips every finite number in 16 hex digits, -0 as 0', () => {
    fc.assert(
      fc.property(finite, (value) => {
        const key = numberKeys.encode(value);
        expect(key).toMatch(/^[0-9a-f]{16}$/);
        expect(numberKeys.decode(key)).toBe(value === 0 ? 0 : value);
      }),
    );
    expect(numberKeys.encode(-0)).toBe(numberKeys.encode(0));
  });

  it('numberKeys orders a hand-picked list numerically', () => {
    const numbers = [-Number.MAX_VALUE, -1e9, -1.5, -Number.MIN_VALUE, 0, Number.MIN_VALUE, 1, 2, 10, 1e300];
    const shuffled = [...numbers].reverse().map((n) => numberKeys.encode(n));
    expect(shuffled.sort(compareKeys).map((key) => numberKeys.decode(key))).toEqual(numbers);
  });

  it('numberKeys refuses a stored key with anything before or after its 16 hex digits', () => {
    const key = numberKeys.encode(1);
    expect(codeOf(() => numberKeys.decode(`z${key}`))).toBe('DECODE_FAILED');
    expect(codeOf(() => numberKeys.decode(`${key}z`))).toBe('DECODE_FAILED');
    expect(numberKeys.decode(key)).toBe(1);
  });

  it('numberKeys refuses NaN, infinities and non-numbers with INVALID_KEY, and malformed keys with DECODE_FAILED', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '1', undefined]) {
      expect(codeOf(() => numberKeys.encode(bad as number))).toBe('INVALID_KEY');
    }
    expect(codeOf(() => numberKeys.decode('xyz'))).toBe('DECODE_FAILED');
  });
});
