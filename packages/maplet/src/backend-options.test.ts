import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from './fixtures/inner-engines.fixture.js';
import { MapletBackend, type MapletBackendOptions } from './maplet-backend.js';

/** The StowageError `build` throws (fails the test when it throws nothing). */
function refusal(build: () => unknown): StowageError {
  try {
    build();
  } catch (error) {
    expect(StowageError.is(error), String(error)).toBe(true);
    return error as StowageError;
  }
  throw new Error('expected a StowageError, nothing was thrown');
}

const backendMethods = [
  'open',
  'close',
  'get',
  'set',
  'delete',
  'entries',
  'keys',
  'size',
  'has',
  'getMany',
  'apply',
  'clear',
] as const;

describe('MapletBackend options', () => {
  it('refuses an inner store lacking any one backend method with INVALID_CONFIG, naming the maplet', () => {
    for (const missing of backendMethods) {
      const inner = new MemoryBackend();
      // An own property shadows the method the prototype holds.
      Object.defineProperty(inner, missing, { value: undefined });
      const error = refusal(() => new MapletBackend({ inner }));
      expect([error.code, error.origin], missing).toEqual(['INVALID_CONFIG', '@stowage/maplet']);
    }
    expect(new MapletBackend({ inner: new MemoryBackend() }).mode).toBe('exact');
  });

  it('refuses an inner store that is not an object, even one carrying every method', () => {
    const callable = Object.assign(() => undefined, Object.fromEntries(backendMethods.map((name) => [name, () => {}])));
    for (const inner of [null, 'memory', callable]) {
      const error = refusal(() => new MapletBackend({ inner } as unknown as MapletBackendOptions));
      expect(error.code, String(inner)).toBe('INVALID_CONFIG');
    }
  });

  it('takes falsePositiveRate at the top or in maplet, and refuses two different ones', () => {
    expect(new MapletBackend({ falsePositiveRate: 0.05 }).maplet.settings.falsePositiveRate).toBe(0.05);
    const both = new MapletBackend({ falsePositiveRate: 0.05, maplet: { falsePositiveRate: 0.05 } });
    expect(both.maplet.settings.falsePositiveRate).toBe(0.05);
    expect(new MapletBackend({ maplet: { falsePositiveRate: 0.02 } }).maplet.settings.falsePositiveRate).toBe(0.02);
    const error = refusal(() => new MapletBackend({ falsePositiveRate: 0.05, maplet: { falsePositiveRate: 0.02 } }));
    expect([error.code, error.origin]).toEqual(['INVALID_CONFIG', '@stowage/maplet']);
  });
  it('refuses options that are not an object, a dir that is not a non-empty path, and an unknown durability, at construction', () => {
    for (const options of [null, 'options', 5, ['dir'], { dir: '' }, { dir: 5 }, { durability: 'sometimes' }]) {
      const error = refusal(() => new MapletBackend(options as never));
      expect([error.code, error.origin], JSON.stringify(options)).toEqual(['INVALID_CONFIG', '@stowage/maplet']);
    }
    for (const durability of ['none', 'batch', 'always'] as const) {
      expect(new MapletBackend({ dir: '/d', durability }).supports.durability).toEqual([durability]);
    }
    expect(new MapletBackend({ durability: 'none' }).supports.durability).toEqual([]);
  });
});
