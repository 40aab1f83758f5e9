/**
 * Guarantee: the seeded generator's `between(min, max)` gives integers in [min, max], both
 * ends included and every value in between reachable; a seed gives the published mulberry32
 * sequence, so a seed from a failing run replays it; pick refuses an empty array.
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

describe('the sequence of a seed', () => {
  /** mulberry32 as published (Tommy Ettinger), written out here independently of prng.ts. */
  function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it.each([0, 1, 42, 0xdeadbeef])('is mulberry32 of seed %s, so a seed from a report replays the same run', (seed) => {
    const random = createRandom(seed);
    const reference = mulberry32(seed);
    for (let draw = 0; draw < 50; draw++) expect(random.next()).toBe(reference());
  });
});

describe('pick', () => {
  it('refuses an empty array with a RangeError instead of returning undefined', () => {
    expect(() => createRandom(1).pick([])).toThrow(RangeError);
    expect(createRandom(1).pick(['only'])).toBe('only');
  });
});
