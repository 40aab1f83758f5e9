import { createRandom } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { popcount, selectInWord } from './bits.js';
import { FULL, QuotientTable } from './quotient-table.js';
import { doubleTable } from './table-resize.js';

/** Every (quotient, remainder, value) of a table, in table order. */
function contents(table: QuotientTable): [number, number, number][] {
  const found: [number, number, number][] = [];
  table.forEachSlot((quotient, position) => {
    found.push([quotient, table.remainders.get(position), table.values.get(position)]);
  });
  return found;
}

function sorted(entries: [number, number, number][]): [number, number, number][] {
  return [...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
}

describe('bit helpers', () => {
  it('popcount and select agree with a bit-by-bit count', () => {
    const rng = createRandom(3);
    const random = () => rng.next();
    for (let trial = 0; trial < 2000; trial++) {
      const word = Math.floor(random() * 2 ** 32) >>> 0;
      const ones: number[] = [];
      for (let bit = 0; bit < 32; bit++) if ((word >>> bit) & 1) ones.push(bit);
      expect(popcount(word)).toBe(ones.length);
      ones.forEach((bit, k) => {
        expect(selectInWord(word, k)).toBe(bit);
      });
    }
  });
});

describe('QuotientTable', () => {
  it('keeps every invariant through random inserts and removals up to a 95% load, clustered and spread', () => {
    for (const clustered of [false, true]) {
      const rng = createRandom(clustered ? 11 : 7);
      const random = () => rng.next();
      const table = new QuotientTable(9, 6, 5);
      const model: [number, number, number][] = [];
      const target = Math.floor(table.slots * 0.95);
      for (let step = 0; step < 6000; step++) {
        if (model.length < target && (random() < 0.6 || model.length === 0)) {
          // Clustered quotients pile runs on each other and spill past block borders.
          const quotient = clustered ? 256 + Math.floor(random() * 40) : Math.floor(random() * table.slots);
          const entry: [number, number, number] = [quotient, Math.floor(random() * 64), Math.floor(random() * 32)];
          if (table.insert(entry[0], entry[1], entry[2]) === FULL) continue;
          model.push(entry);
        } else {
          const index = Math.floor(random() * model.length);
          const [quotient, remainder, value] = model[index]!;
          let position = -1;
          const end = table.runEnd(quotient);
          for (let slot = end; slot >= 0; slot--) {
            if (table.remainders.get(slot) === remainder && table.values.get(slot) === value) position = slot;
            if (position >= 0 || table.isRunStart(quotient, slot)) break;
          }
          expect(position, `entry ${model[index]} not found`).toBeGreaterThanOrEqual(0);
          table.removeAt(quotient, position);
          model.splice(index, 1);
        }
        if (step % 97 === 0) table.check();
      }
      table.check();
      expect(sorted(contents(table))).toEqual(sorted(model));
    }
  });

  it('doubles without the keys: each remainder top bit moves into the quotient', () => {
    const rng = createRandom(5);
    const random = () => rng.next();
    const table = new QuotientTable(8, 5, 3);
    const model: [number, number, number][] = [];
    for (let i = 0; i < 220; i++) {
      const entry: [number, number, number] = [Math.floor(random() * 256), Math.floor(random() * 32), i % 8];
      table.insert(...entry);
      model.push(entry);
    }
    const doubled = doubleTable(table);
    doubled.check();
    expect(doubled.slots).toBe(512);
    expect(doubled.remainderBits).toBe(4);
    const expected = model.map(([q, r, v]) => [q * 2 + (r >>> 4), r & 15, v] as [number, number, number]);
    expect(sorted(contents(doubled))).toEqual(sorted(expected));
  });

  it('reports FULL when a cluster reaches the end of the overflow blocks', () => {
    const table = new QuotientTable(6, 4, 0);
    let result: number = -1;
    for (let i = 0; i < table.totalSlots + 1 && result !== FULL; i++) result = table.insert(63, i % 16, 0);
    expect(result).toBe(FULL);
    table.check();
  });
});
