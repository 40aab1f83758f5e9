/**
 * Guarantee: the seeded generator's `between(min, max)` gives integers in [min, max], both
 * ends included and every value in between reachable, and the same seed gives the same draws.
 */
import { describe, expect, it } from 'vitest';
import { createRandom } from './prng.js';

describe('between', () => {
  it('draws every integer of [min, max], both ends included, and nothing outside', () => {
    const random = createRandom(42);
    const seen = new Set<number>();
    for (let draw = 0; draw < 500; draw++) seen.add(random.between(3, 7));
    expect([...seen].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7]);
  });

  it('gives min itself when min equals max, and replays from the same seed', () => {
    expect(createRandom(1).between(9, 9)).toBe(9);
    const draws = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => random.between(-2, 2));
    };
    expect(draws(7)).toEqual(draws(7));
  });
});
