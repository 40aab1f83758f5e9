import { StowageError } from '@stowage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Maplet } from './maplet.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-format.js';

describe('snapshot format', () => {
  it('a maplet after any inserts, deletes and growth reloads from its snapshot answering exactly the same', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sum' as const, 'max' as const, 'or' as const),
        fc.array(fc.tuple(fc.boolean(), fc.nat(300), fc.integer({ min: 1, max: 15 })), { maxLength: 500 }),
        (merge, ops) => {
          const options = { capacity: 16, falsePositiveRate: 0.1, valueBits: 4, merge, growthBits: 1 };
          const maplet = new Maplet(options);
          const live: [string, number][] = [];
          for (const [insert, key, value] of ops) {
            if (insert || live.length === 0) {
              maplet.insert(`k${key}`, value);
              live.push([`k${key}`, value]);
            } else {
              const [k, v] = live.splice(key % live.length, 1)[0]!;
              expect(maplet.delete(k, v)).toBe(true);
            }
          }
          const decoded = decodeSnapshot(encodeSnapshot(maplet, 7), 'snap');
          expect(decoded.meta.epoch).toBe(7);
          const restored = new Maplet(options, { generations: decoded.generations, counters: decoded.meta.counters });
          restored.check();
          for (let key = 0; key < 400; key++) expect(restored.get(`k${key}`)).toBe(maplet.get(`k${key}`));
          for (const [key] of live) expect(restored.has(key)).toBe(true);
          expect(restored.counters).toEqual(maplet.counters);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('every single flipped byte is refused with CORRUPTION', () => {
    const maplet = new Maplet({ capacity: 64 });
    for (let i = 0; i < 40; i++) maplet.insert(`k${i}`);
    const bytes = encodeSnapshot(maplet, 1);
    for (let offset = 0; offset < bytes.length; offset += 7) {
      const damaged = bytes.slice();
      damaged[offset]! ^= 0x40;
      let error: unknown;
      try {
        decodeSnapshot(damaged, 'snap');
      } catch (caught) {
        error = caught;
      }
      expect(StowageError.is(error, 'CORRUPTION'), `byte ${offset}`).toBe(true);
    }
  });
});
