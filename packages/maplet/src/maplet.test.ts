import { StowageError } from '@stowage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Maplet } from './maplet.js';
import type { MergeOperatorName } from './merge-operators.js';
import { mergeOperators } from './merge-operators.js';

type Op = { kind: 'insert'; key: number; value: number } | { kind: 'delete'; pick: number };

const operatorNames = Object.keys(mergeOperators) as MergeOperatorName[];

/** The pairs a model holds per key, in insertion order. */
type Model = Map<string, number[]>;

function ownValue(name: MergeOperatorName, values: readonly number[]): number {
  const merge = mergeOperators[name].merge;
  return values.reduce((a, b) => merge(a, b, 255));
}

/** Runs `ops` on a maplet and a model of the live pairs; returns both. */
function play(name: MergeOperatorName, ops: readonly Op[], options: ConstructorParameters<typeof Maplet>[0]) {
  const maplet = new Maplet({ valueBits: 8, merge: name, ...options });
  const model: Model = new Map();
  for (const op of ops) {
    if (op.kind === 'insert') {
      const key = `key-${op.key}`;
      const value = name === 'sum' ? Math.max(1, op.value % 4) : op.value;
      maplet.insert(key, value);
      model.set(key, [...(model.get(key) ?? []), value]);
    } else if (model.size > 0) {
      const keys = [...model.keys()];
      const key = keys[op.pick % keys.length]!;
      const values = model.get(key)!;
      const value = values[op.pick % values.length]!;
      expect(maplet.delete(key, value), `delete(${key}, ${value})`).toBe(true);
      values.splice(values.indexOf(value), 1);
      if (values.length === 0) model.delete(key);
    }
  }
  return { maplet, model };
}

const opArbitrary = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), key: fc.nat(400), value: fc.nat(255) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
);

describe('Maplet against an exact Map', () => {
  for (const name of operatorNames) {
    it(`${name}: no false negative and never an understatement after any inserts, deletes and resizes`, () => {
      fc.assert(
        fc.property(fc.array(opArbitrary, { maxLength: 600 }), (ops) => {
          // A tiny first table and an ε of 20% make collisions and every kind of growth common.
          const { maplet, model } = play(name, ops, { capacity: 8, falsePositiveRate: 0.2, growthBits: 1 });
          maplet.check();
          const all = [...model.values()].flat();
          for (const [key, values] of model) {
            const answer = maplet.get(key);
            expect(answer, `${key} lost`).toBeDefined();
            const own = ownValue(name, values);
            if (name === 'sum') expect(answer).toBeGreaterThanOrEqual(Math.min(255, own));
            else if (name === 'last-writer') expect(all).toContain(answer);
            // max, min, or: the answer already absorbed the key's own value.
            else expect(mergeOperators[name].merge(answer!, own, 255)).toBe(answer);
          }
        }),
        { numRuns: 60 },
      );
    });

    it(`${name}: answers exactly when fingerprints cannot collide`, () => {
      fc.assert(
        fc.property(fc.array(opArbitrary, { maxLength: 300 }), (ops) => {
          const { maplet, model } = play(name, ops, { capacity: 8, falsePositiveRate: 2 ** -24 });
          for (const [key, values] of model) expect(maplet.get(key)).toBe(Math.min(255, ownValue(name, values)));
          for (let i = 0; i < 200; i++) expect(maplet.get(`absent-${i}`)).toBeUndefined();
        }),
        { numRuns: 40 },
      );
    });
  }

  it('merges colliding fingerprints: a key answers its own value merged with its colliders', () => {
    // ε = 1/2 with one 64-slot table: collisions are everywhere.
    for (const name of ['sum', 'max', 'min', 'or'] as const) {
      const maplet = new Maplet({
        capacity: 50,
        falsePositiveRate: 0.5,
        valueBits: 8,
        merge: name,
        growth: 'fixed',
        maxLoad: 0.9,
      });
      const values = new Map<string, number>();
      for (let i = 0; i < 55; i++) {
        const value = 1 + ((i * 37) % 200);
        maplet.insert(`k${i}`, value);
        values.set(`k${i}`, value);
      }
      let merged = 0;
      for (const [key, value] of values) {
        const answer = maplet.get(key)!;
        if (answer !== value) merged++;
        expect(mergeOperators[name].merge(answer, value, 255) === answer || (name === 'sum' && answer >= value)).toBe(
          true,
        );
      }
      expect(merged, `${name}: some answers must show a merge at ε = 1/2`).toBeGreaterThan(0);
      expect(maplet.counters.collisionsMerged).toBeGreaterThan(0);
    }
  });

  it('delete(key, value) of one pair leaves the key while other pairs of it remain', () => {
    const maplet = new Maplet({ valueBits: 4, merge: 'max' });
    maplet.insert('a', 3);
    maplet.insert('a', 3);
    maplet.insert('a', 9);
    expect(maplet.delete('a', 9)).toBe(true);
    expect(maplet.get('a')).toBe(3);
    expect(maplet.delete('a', 3)).toBe(true);
    expect(maplet.get('a')).toBe(3);
    expect(maplet.delete('a', 3)).toBe(true);
    expect(maplet.get('a')).toBeUndefined();
    expect(maplet.delete('a', 3)).toBe(false);
  });

  it('sum counts, subtracts, refuses to go below zero and keeps a saturated count', () => {
    const maplet = new Maplet({ valueBits: 3, merge: 'sum' });
    maplet.insert('page', 5);
    maplet.insert('page', 1);
    expect(maplet.get('page')).toBe(6);
    expect(maplet.delete('page', 7)).toBe(false);
    expect(maplet.get('page')).toBe(6);
    maplet.insert('page', 4); // 10 saturates at 7 ("at least 7")
    expect(maplet.get('page')).toBe(7);
    expect(maplet.delete('page', 5)).toBe(true);
    expect(maplet.get('page')).toBe(7);
    maplet.insert('other', 2);
    expect(maplet.delete('other', 2)).toBe(true);
    expect(maplet.get('other')).toBeUndefined();
  });

  it('refuses values out of range with INVALID_ARGUMENT and bad options with INVALID_CONFIG', () => {
    const maplet = new Maplet({ valueBits: 4, merge: 'sum' });
    for (const bad of [16, -1, 1.5, Number.NaN, 0]) {
      expect(() => maplet.insert('k', bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(maplet.size).toBe(0);
    const badOptions = [
      { falsePositiveRate: 0 },
      { falsePositiveRate: 0.9 },
      { valueBits: 33 },
      { merge: 'avg' },
      { merge: 'sum', valueBits: 0 },
      { maxLoad: 0.99 },
      { capacity: 0 },
      { growth: 'sometimes' },
      { falsePositveRate: 0.1 },
    ];
    for (const options of badOptions) {
      expect(() => new Maplet(options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG' }),
      );
    }
  });
});

describe('growth', () => {
  it("Mappy's failure as a regression: 10x the initial capacity, zero false negatives, measured rate at most ε", () => {
    for (const epsilon of [0.01, 0.001]) {
      const maplet = new Maplet({ capacity: 2_000, falsePositiveRate: epsilon });
      for (let i = 0; i < 20_000; i++) maplet.insert(`user:${i}`);
      for (let i = 0; i < 20_000; i++) if (!maplet.has(`user:${i}`)) expect.fail(`user:${i} lost after growth`);
      let falsePositives = 0;
      const probes = 100_000;
      for (let i = 0; i < probes; i++) if (maplet.has(`visitor:${i}`)) falsePositives++;
      const stats = maplet.stats();
      expect(stats.resizes + stats.generationsAdded).toBeGreaterThanOrEqual(3);
      expect(falsePositives / probes, `ε = ${epsilon}`).toBeLessThanOrEqual(epsilon);
      expect(stats.theoreticalFalsePositiveRate).toBeLessThanOrEqual(epsilon);
    }
  });

  it('doubling keeps the rate on n / 2^(q+r): the fingerprint length does not change', () => {
    const maplet = new Maplet({ capacity: 500, falsePositiveRate: 0.01, growthBits: 3 });
    const lengths = new Set<number>();
    for (let i = 0; i < 3_000; i++) {
      maplet.insert(`k${i}`);
      const { table } = maplet.generations[0]!;
      lengths.add(table.quotientBits + table.remainderBits);
    }
    expect(maplet.counters.resizes).toBeGreaterThanOrEqual(2);
    expect(maplet.generations).toHaveLength(1);
    expect(lengths.size).toBe(1);
    const { table } = maplet.generations[0]!;
    const expected = 3_000 / 2 ** (table.quotientBits + table.remainderBits);
    const measured = maplet.measureFalsePositiveRate(200_000);
    const sigma = Math.sqrt((expected * (1 - expected)) / 200_000);
    expect(Math.abs(measured.rate - expected)).toBeLessThan(4 * sigma + expected * 0.05);
  });

  it("refuses with CAPACITY only with growth 'fixed', the store unchanged", () => {
    const maplet = new Maplet({ capacity: 100, growth: 'fixed' });
    let error: unknown;
    let inserted = 0;
    try {
      for (; inserted < 1_000; inserted++) maplet.insert(`k${inserted}`);
    } catch (caught) {
      error = caught;
    }
    expect(StowageError.is(error, 'CAPACITY')).toBe(true);
    expect(maplet.size).toBe(inserted);
    for (let i = 0; i < inserted; i++) expect(maplet.has(`k${i}`)).toBe(true);
  });

  it('rebuilds from the exact source when configured, back to the full remainder', () => {
    const source = new Map<string, number>();
    const maplet = new Maplet({ capacity: 100, growthBits: 0, growth: { rebuild: () => source.entries() } });
    const r = maplet.generations[0]!.table.remainderBits;
    for (let i = 0; i < 1_000; i++) {
      maplet.insert(`k${i}`);
      source.set(`k${i}`, 0);
    }
    expect(maplet.counters.rebuilds).toBeGreaterThanOrEqual(3);
    expect(maplet.generations).toHaveLength(1);
    expect(maplet.generations[0]!.table.remainderBits).toBe(r);
    for (const key of source.keys()) expect(maplet.has(key)).toBe(true);
  });
});

describe('union', () => {
  it('the union of two maplets answers like one maplet given every insert', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<MergeOperatorName>('sum', 'max', 'min', 'or'),
        fc.array(fc.tuple(fc.nat(300), fc.integer({ min: 1, max: 9 })), { maxLength: 200 }),
        fc.array(fc.tuple(fc.nat(300), fc.integer({ min: 1, max: 9 })), { maxLength: 200 }),
        (name, left, right) => {
          const options = {
            capacity: 1_000,
            falsePositiveRate: 0.05,
            valueBits: 6,
            merge: name,
            growth: 'fixed' as const,
          };
          const a = new Maplet(options);
          const b = new Maplet(options);
          const all = new Maplet(options);
          for (const [key, value] of left) {
            a.insert(`k${key}`, value);
            all.insert(`k${key}`, value);
          }
          for (const [key, value] of right) {
            b.insert(`k${key}`, value);
            all.insert(`k${key}`, value);
          }
          a.union(b);
          a.check();
          for (let key = 0; key < 400; key++) expect(a.get(`k${key}`), `k${key}`).toBe(all.get(`k${key}`));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('unites maplets that grew differently without a false negative', () => {
    const a = new Maplet({ capacity: 64 });
    const b = new Maplet({ capacity: 64 });
    for (let i = 0; i < 3_000; i++) a.insert(`a${i}`);
    for (let i = 0; i < 300; i++) b.insert(`b${i}`);
    b.union(a);
    a.union(b);
    for (const maplet of [a, b]) {
      for (let i = 0; i < 3_000; i++) expect(maplet.has(`a${i}`)).toBe(true);
      for (let i = 0; i < 300; i++) expect(maplet.has(`b${i}`)).toBe(true);
    }
  });
});
