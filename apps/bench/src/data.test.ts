import { describe, expect, it } from 'vitest';
import { keyOf, makeEntries, missingKeyOf, randomIndexes } from './data.js';

describe('bench data', () => {
  it('samples indexes from the whole range without repeats', () => {
    const sample = randomIndexes(5000, 10_000);
    expect(new Set(sample).size).toBe(5000);
    expect(Math.max(...sample)).toBeGreaterThan(9000);
    expect(Math.min(...sample)).toBeLessThan(1000);
  });

  it('repeats indexes evenly when asked for more than the range holds', () => {
    const sample = randomIndexes(300, 100);
    const counts = new Map<number, number>();
    for (const index of sample) counts.set(index, (counts.get(index) ?? 0) + 1);
    expect([...counts.values()].every((count) => count === 3)).toBe(true);
  });

  it('makes the same entries for the same indexes, with values of about 110 bytes', () => {
    const all = makeEntries(20);
    const tail = makeEntries(10, 10);
    expect(tail.map((entry) => entry.key)).toEqual(all.slice(10).map((entry) => entry.key));
    for (const entry of all) {
      expect(JSON.parse(entry.json)).toEqual(entry.value);
      expect(entry.json.length).toBeGreaterThan(80);
      expect(entry.json.length).toBeLessThan(140);
    }
  });

  it('never makes a missing key that is also a stored key', () => {
    const stored = new Set(Array.from({ length: 10_000 }, (_, i) => keyOf(i)));
    for (let i = 0; i < 10_000; i++) expect(stored.has(missingKeyOf(i))).toBe(false);
  });
});
