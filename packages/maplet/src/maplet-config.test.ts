import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { type MapletOptions, quotientBitsFor, remainderFloor, resolveMapletOptions } from './maplet-config.js';
import { customOperator, mergeOperators } from './merge-operators.js';

/** The INVALID_CONFIG error resolving `options` throws (fails the test when it resolves). */
function refusal(options: unknown): StowageError {
  try {
    resolveMapletOptions(options as MapletOptions);
  } catch (error) {
    expect(StowageError.is(error, 'INVALID_CONFIG'), String(error)).toBe(true);
    expect((error as StowageError).origin).toBe('@stowage/maplet');
    return error as StowageError;
  }
  throw new Error(`expected INVALID_CONFIG for ${JSON.stringify(options)}`);
}

describe('resolveMapletOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveMapletOptions()).toEqual({
      falsePositiveRate: 0.01,
      capacity: 1024,
      valueBits: 0,
      maxValue: 0,
      merge: mergeOperators.or,
      maxLoad: 0.9,
      growth: 'chain',
      growthBits: 2,
      seed: 0,
    });
    expect(resolveMapletOptions({ valueBits: 8 }).merge).toBe(mergeOperators.sum);
    expect(resolveMapletOptions({ growth: 'fixed' }).growthBits).toBe(0);
    expect(resolveMapletOptions({ growth: 'fixed', growthBits: 3 }).growthBits).toBe(3);
  });

  it('takes every option it knows, each kept as given', () => {
    const growth = { rebuild: () => [] };
    const given = {
      falsePositiveRate: 0.001,
      capacity: 77,
      valueBits: 5,
      merge: 'max' as const,
      maxLoad: 0.8,
      growth,
      growthBits: 4,
      seed: 9,
    };
    expect(resolveMapletOptions(given)).toEqual({ ...given, merge: mergeOperators.max, maxValue: 31 });
    const custom = customOperator('xor', (a, b) => a ^ b);
    expect(resolveMapletOptions({ valueBits: 3, merge: custom }).merge).toBe(custom);
  });

  it('accepts each range at both of its ends', () => {
    const edges: MapletOptions[] = [
      { falsePositiveRate: 2 ** -30 },
      { falsePositiveRate: 0.5 },
      { capacity: 1 },
      { capacity: 2 ** 30 },
      { valueBits: 0 },
      { valueBits: 32 },
      { maxLoad: 0.5 },
      { maxLoad: 0.95 },
      { growthBits: 0 },
      { growthBits: 8 },
      { seed: 0 },
      { seed: 0xffffffff },
    ];
    for (const options of edges) {
      const [[name, value]] = Object.entries(options) as [[keyof MapletOptions, unknown]];
      expect(resolveMapletOptions({ valueBits: 1, ...options })[name], name).toBe(value);
    }
    expect(resolveMapletOptions({ valueBits: 32 }).maxValue).toBe(0xffffffff);
    expect(resolveMapletOptions({ valueBits: 31 }).maxValue).toBe(2 ** 31 - 1);
  });

  it('refuses each option just past its range, of the wrong type, or unknown, with INVALID_CONFIG', () => {
    const bad: unknown[] = [
      null,
      'options',
      { falsePositiveRate: 2 ** -31 },
      { falsePositiveRate: 0.51 },
      { falsePositiveRate: '0.1' },
      { capacity: 0 },
      { capacity: 2 ** 30 + 1 },
      { capacity: 1.5 },
      { valueBits: -1 },
      { valueBits: 33 },
      { valueBits: 1.5 },
      { merge: 'average' },
      { merge: 5 },
      { merge: { name: 'no merge' } },
      { merge: { merge: (a: number) => a } },
      { merge: 'sum', valueBits: 0 },
      { maxLoad: 0.49 },
      { maxLoad: 0.96 },
      { maxLoad: '0.9' },
      { growth: 'grow' },
      { growth: {} },
      { growthBits: -1 },
      { growthBits: 9 },
      { growthBits: 0.5 },
      { seed: -1 },
      { seed: 2 ** 32 },
      { seed: 0.5 },
      { capacty: 10 },
      // Functions carrying the right members are still not the objects asked for.
      { merge: Object.assign(() => 0, { merge: (a: number) => a }) },
      { growth: Object.assign(() => [], { rebuild: () => [] }) },
    ];
    for (const options of bad) refusal(options);
  });
});

describe('table sizes', () => {
  it('gives at least one 64-slot block, and enough home slots for the keys at the load', () => {
    expect(quotientBitsFor(1, 0.9)).toBe(6);
    expect(quotientBitsFor(57, 0.9)).toBe(6); // 57 / 0.9 < 64
    expect(quotientBitsFor(58, 0.9)).toBe(7);
    expect(quotientBitsFor(1024, 0.5)).toBe(11);
  });

  it('splits the rate over the chain, table i getting ε / 2^(i+1); a single table gets all of ε', () => {
    const chain = resolveMapletOptions({ falsePositiveRate: 0.01, maxLoad: 0.9 });
    // load · 2^-r ≤ share: r = ceil(log2(0.9 / share)).
    expect(remainderFloor(chain, 0)).toBe(Math.ceil(Math.log2(0.9 / 0.005)));
    expect(remainderFloor(chain, 1)).toBe(Math.ceil(Math.log2(0.9 / 0.0025)));
    const fixed = resolveMapletOptions({ falsePositiveRate: 0.01, maxLoad: 0.9, growth: 'fixed' });
    expect(remainderFloor(fixed, 0)).toBe(Math.ceil(Math.log2(0.9 / 0.01)));
    // Exactly a power of two needs no extra bit; at least one bit always.
    const exact = resolveMapletOptions({ falsePositiveRate: 0.5, maxLoad: 0.5, growth: 'fixed' });
    expect(remainderFloor(exact, 0)).toBe(1);
    const quarter = resolveMapletOptions({ falsePositiveRate: 0.125, maxLoad: 0.5, growth: 'fixed' });
    expect(remainderFloor(quarter, 0)).toBe(2);
  });
});
