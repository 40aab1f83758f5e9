import { describe, expect, it } from 'vitest';
import { collect, MapBackend } from '../test-backends.fixture.js';
import { StowageError } from './errors.js';
import { assertValidKey, assertValidRange, utf8Length } from './keys.js';

async function refusal(promise: Promise<unknown>): Promise<StowageError> {
  try {
    await promise;
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('utf8Length around lone surrogates next to other characters', () => {
  it.each([
    ['€\udc00', 6], // a 3-byte character, then a lone low surrogate: not a pair
    ['\udc00\udc00', 6],
    ['\ue000\udc00', 6],
    ['\ud800€', 6], // a high surrogate followed by something that is not a low one
    ['\ud800\ue000', 6],
    ['\ud800\ud800', 6],
    ['\udbff\udfff', 4], // the last pair
  ])('counts %j as %i bytes, as Buffer does', (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes);
    expect(Buffer.byteLength(text, 'utf8')).toBe(bytes);
  });
});

describe('a refused key names the engine that refused it', () => {
  it.each([
    ['a number', 42 as unknown as string, undefined],
    ['a lone surrogate', 'a\ud800', 'a\ud800'],
    ['a key over maxKeyBytes', 'x'.repeat(9), undefined],
  ])('%s: INVALID_KEY from the backend with its origin', async (_, key, named) => {
    const backend = new MapBackend({ supports: { maxKeyBytes: 8 } });
    await backend.open();
    const error = await refusal(backend.set(key, 'v'));
    expect(error.code).toBe('INVALID_KEY');
    expect(error.origin).toBe('@stowage/core-test');
    expect(error.key).toBe(named);
    await backend.close();
  });

  it('names core when no origin is given', () => {
    let thrown: unknown;
    try {
      assertValidKey('a\udc00', 100);
    } catch (error) {
      thrown = error;
    }
    expect(StowageError.is(thrown, 'INVALID_KEY') && thrown.origin).toBe('@stowage/core');
  });
});

describe('a range the contract allows is never refused', () => {
  it('takes a limit of 0 and yields nothing', async () => {
    const backend = new MapBackend();
    await backend.open();
    await backend.set('a', 'v');
    expect(() => assertValidRange({ limit: 0 })).not.toThrow();
    expect(await collect(backend.entries({ limit: 0 }))).toEqual([]);
    expect(await collect(backend.entries({ limit: 1 }))).toEqual([['a', 'v']]);
    await backend.close();
  });

  it('names the engine in a refused range, and suggests nothing for a name unlike any option', async () => {
    const backend = new MapBackend();
    await backend.open();
    const error = await refusal(collect(backend.keys({ zzzzzzzz: true } as never)));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.origin).toBe('@stowage/core-test');
    expect(error.message).toBe('[@stowage/core-test] invalid range: unknown option "zzzzzzzz"');
    await backend.close();
  });
});
