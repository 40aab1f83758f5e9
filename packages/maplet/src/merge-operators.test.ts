import { describe, expect, it } from 'vitest';
import { checkMergeOperator, customOperator, mergeOperators } from './merge-operators.js';

describe('checkMergeOperator', () => {
  it('finds no violation in the built-in commutative operators', () => {
    for (const name of ['sum', 'max', 'min', 'or'] as const) {
      expect(checkMergeOperator(mergeOperators[name], 8), name).toEqual([]);
    }
  });

  it('flags last-writer as not commutative (documented) and catches broken custom operators', () => {
    expect(checkMergeOperator(mergeOperators['last-writer'], 8).map((v) => v.law)).toContain('commutative');
    const minus = customOperator('minus', (a, b) => Math.max(0, a - b));
    expect(checkMergeOperator(minus, 8).map((v) => v.law)).toContain('commutative');
    const average = customOperator('average', (a, b) => Math.floor((a + b) / 2));
    expect(checkMergeOperator(average, 8).map((v) => v.law)).toContain('associative');
    const overflow = customOperator('plain-sum', (a, b) => a + b);
    expect(checkMergeOperator(overflow, 8).map((v) => v.law)).toContain('in range');
    const gcd = customOperator('gcd', (a, b) => {
      while (b) [a, b] = [b, a % b];
      return a;
    });
    expect(checkMergeOperator(gcd, 8)).toEqual([]);
  });
});

describe('the built-in operators', () => {
  it('merge as their names say: sum saturates, max keeps the larger, min the smaller, or the union, last-writer the newer', () => {
    expect(mergeOperators.sum.merge(200, 100, 255)).toBe(255);
    expect(mergeOperators.sum.merge(2, 3, 255)).toBe(5);
    expect([mergeOperators.max.merge(3, 9, 255), mergeOperators.max.merge(9, 3, 255)]).toEqual([9, 9]);
    expect([mergeOperators.min.merge(3, 9, 255), mergeOperators.min.merge(9, 3, 255)]).toEqual([3, 3]);
    expect(mergeOperators.or.merge(0b0101, 0b0011, 255)).toBe(0b0111);
    expect(mergeOperators['last-writer'].merge(3, 9, 255)).toBe(9);
  });
});
