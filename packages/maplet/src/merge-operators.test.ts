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

describe('checkMergeOperator: what it tries and what it reports', () => {
  /** An operator that records every pair it merges, merging with `merge`. */
  function recording(merge: (a: number, b: number) => number) {
    const seen: number[] = [];
    const operator = customOperator('recording', (a, b) => {
      seen.push(a, b);
      return merge(a, b);
    });
    return { operator, seen };
  }

  it('runs exactly `trials` trials of five merges over values spanning 0 to the largest of the value bits', () => {
    const { operator, seen } = recording((a, b) => a | b);
    expect(checkMergeOperator(operator, 4, 7)).toEqual([]);
    expect(seen).toHaveLength(7 * 5 * 2);
    /** The drawn values: a trial merges (a, b), (b, a), (ab, c), (b, c), (a, bc). */
    const drawn = () => seen.filter((_, i) => i % 10 === 0 || i % 10 === 1 || i % 10 === 7);
    seen.length = 0;
    checkMergeOperator(operator, 4, 2_000);
    expect(Math.min(...drawn())).toBe(0);
    expect(Math.max(...drawn())).toBe(15);
    expect(new Set(drawn()).size).toBe(16);
    seen.length = 0;
    checkMergeOperator(operator, 32, 200);
    expect(Math.max(...drawn())).toBeGreaterThan(2 ** 31);
  });

  it('the same seed gives the same report, another seed another one', () => {
    const minus = customOperator('minus', (a, b) => Math.max(0, a - b));
    expect(checkMergeOperator(minus, 8, 100, 5)).toEqual(checkMergeOperator(minus, 8, 100, 5));
    expect(checkMergeOperator(minus, 8, 100, 5)).not.toEqual(checkMergeOperator(minus, 8, 100, 6));
  });

  it('reports each violation with the values that show it, and stops after the first ten', () => {
    const maxValue = 255;
    const broken = [
      customOperator('half', (a, b) => (a + b) / 2 + 0.25),
      customOperator('negative', () => -1),
      customOperator('too big', () => maxValue + 1),
    ];
    for (const operator of broken) {
      const found = checkMergeOperator(operator, 8, 1_000).filter((violation) => violation.law === 'in range');
      expect(found.length, operator.name).toBeGreaterThan(0);
      for (const violation of found) {
        expect(violation.values, operator.name).toHaveLength(2);
        const [a, b] = violation.values as [number, number];
        const merged = operator.merge(a, b, maxValue);
        expect(Number.isInteger(merged) && merged >= 0 && merged <= maxValue).toBe(false);
      }
    }
    const minus = customOperator('minus', (a, b) => Math.max(0, a - b));
    const violations = checkMergeOperator(minus, 8, 10_000);
    expect(violations.length).toBeGreaterThanOrEqual(10);
    expect(violations.length).toBeLessThanOrEqual(12); // the trial that reaches ten may add two more
    for (const { law, values } of violations) {
      const merge = (a: number, b: number) => minus.merge(a, b, maxValue);
      if (law === 'commutative') expect(merge(values[0]!, values[1]!)).not.toBe(merge(values[1]!, values[0]!));
      else if (law === 'associative') {
        const [a, b, c] = values as [number, number, number];
        expect(merge(merge(a, b), c)).not.toBe(merge(a, merge(b, c)));
      }
    }
  });

  it('stops at the first trial that starts with ten violations found', () => {
    // One violation a trial: the result is out of range, but the same whatever the order.
    const tooBig = customOperator('too big', () => 256);
    expect(checkMergeOperator(tooBig, 8, 1_000)).toHaveLength(10);
  });

  it('names each built-in by its key; only sum counts and only last-writer is marked as the newest-wins one', () => {
    for (const [key, operator] of Object.entries(mergeOperators)) {
      expect(operator.name).toBe(key);
      expect(operator.counting === true, key).toBe(key === 'sum');
      expect(operator.lastWriter === true, key).toBe(key === 'last-writer');
    }
  });

  it('names a custom operator custom:<name>', () => {
    expect(customOperator('gcd', (a) => a).name).toBe('custom:gcd');
  });
});
