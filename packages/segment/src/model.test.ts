/**
 * The engine against a Map: thousands of random sets, deletes, batches and clears with
 * tiny thresholds, so the data goes through many flushes and compactions (and reopens);
 * every get, range (forward and reverse, with limits and prefixes) and the final state
 * must match the model. STOWAGE_SEGMENT_MODEL_OPS sets the number of operations.
 */
import { compareKeys, type EncodedValue } from '@stowage/core';
import { createRandom } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { tinyThresholds } from './fixtures/crash-backend.fixture.js';
import { SegmentBackend } from './segment-backend.js';
import { tempDir } from './test-helpers.fixture.js';

const operations = Number(process.env.STOWAGE_SEGMENT_MODEL_OPS ?? 1500);

// Tiny files; and the same with level targets so small that data spreads over every level,
// so compactions between levels (not only level 0 into the last level) are exercised.
const configurations = [
  { name: 'tiny files', options: tinyThresholds, seed: 20_261_205 },
  { name: 'all seven levels', options: { ...tinyThresholds, baseLevelBytes: 1024, levelMultiplier: 2 }, seed: 7 },
] as const;

function sortedModel(model: Map<string, EncodedValue>): [string, EncodedValue][] {
  return [...model].sort(([a], [b]) => compareKeys(a, b));
}

async function collect(backend: SegmentBackend, range: Parameters<SegmentBackend['entries']>[0]) {
  const out: [string, EncodedValue][] = [];
  for await (const entry of backend.entries(range)) out.push(entry);
  return out;
}

describe('the engine against a model Map', () => {
  it.each(configurations)(
    `agrees after ${operations} random operations through flushes, compactions and reopens ($name)`,
    async ({ options, seed }) => {
      const dir = tempDir();
      const generator = createRandom(seed);
      const random = () => generator.next();
      let flushes = 0;
      let compactions = 0;
      const count = async (backend: SegmentBackend) => {
        const stats = await backend.stats();
        flushes += stats.flushes;
        compactions += stats.compactions;
      };
      // Durability none: this test is about the tree's logic; fsyncs would only slow it down.
      const open = async () => {
        const backend = new SegmentBackend({ dir, ...options, durability: 'none' });
        await backend.open();
        return backend;
      };
      let backend = await open();
      const model = new Map<string, EncodedValue>();
      const key = () => `key-${Math.floor(random() * 400)}`;
      const value = (n: number): EncodedValue =>
        n % 4 === 0 ? Uint8Array.from({ length: n % 300 }, (_, i) => (n + i) & 0xff) : `v${n}-${'z'.repeat(n % 200)}`;
      for (let op = 0; op < operations; op++) {
        const roll = random();
        if (roll < 0.55) {
          const k = key();
          const v = value(op);
          await backend.set(k, v);
          model.set(k, v);
        } else if (roll < 0.75) {
          const k = key();
          expect(await backend.delete(k), `delete ${k}`).toBe(model.has(k));
          model.delete(k);
        } else if (roll < 0.85) {
          const ops = Array.from({ length: 1 + Math.floor(random() * 8) }, (_, i) =>
            random() < 0.7
              ? { type: 'set' as const, key: key(), value: value(op * 10 + i) }
              : { type: 'delete' as const, key: key() },
          );
          await backend.apply(ops);
          for (const o of ops) {
            if (o.type === 'set') model.set(o.key, o.value);
            else model.delete(o.key);
          }
        } else if (roll < 0.95) {
          const k = key();
          expect(await backend.get(k), `get ${k}`).toEqual(model.get(k));
          expect(backend.getSync(k), `getSync ${k}`).toEqual(model.get(k));
        } else if (roll < 0.97) {
          const prefix = `key-${Math.floor(random() * 40)}`;
          await backend.clear({ prefix });
          for (const k of [...model.keys()]) if (k.startsWith(prefix)) model.delete(k);
        } else if (roll < 0.99) {
          await backend.compact();
        } else {
          await count(backend);
          await backend.close();
          backend = await open();
        }
        if (op % 500 === 0) {
          const low = key();
          const expected = sortedModel(model).filter(([k]) => compareKeys(k, low) >= 0);
          expect(await collect(backend, { gte: low, limit: 50 })).toEqual(expected.slice(0, 50));
          expect(await collect(backend, { lt: low, reverse: true, limit: 30 })).toEqual(
            sortedModel(model)
              .filter(([k]) => compareKeys(k, low) < 0)
              .reverse()
              .slice(0, 30),
          );
          const prefix = `key-${Math.floor(random() * 40)}`;
          expect(await collect(backend, { prefix })).toEqual(sortedModel(model).filter(([k]) => k.startsWith(prefix)));
        }
      }
      expect(await collect(backend, {})).toEqual(sortedModel(model));
      expect(await collect(backend, { reverse: true })).toEqual(sortedModel(model).reverse());
      await count(backend);
      expect(flushes).toBeGreaterThan(10);
      expect(compactions).toBeGreaterThan(5);
      if (options.baseLevelBytes === 1024) {
        const levels = (await backend.stats()).levels.filter((level) => level.level > 0 && level.files > 0);
        expect(levels.length, 'levels holding files').toBeGreaterThan(2);
      }
      expect((await backend.verify()).problems).toEqual([]);
      await backend.close();
      backend = await open();
      expect(await collect(backend, {})).toEqual(sortedModel(model));
      await backend.close();
    },
    120_000,
  );

  it('iterates from a snapshot while writes, flushes and compactions go on', async () => {
    const dir = tempDir();
    const backend = new SegmentBackend({ dir, ...tinyThresholds });
    await backend.open();
    for (let i = 0; i < 300; i++) await backend.set(`k${String(i).padStart(4, '0')}`, `old-${i}`);
    const seen: [string, EncodedValue][] = [];
    let i = 0;
    for await (const entry of backend.entries()) {
      seen.push(entry);
      // Overwrite, delete and add keys ahead of the iterator, and compact under it.
      if (i % 50 === 0) {
        await backend.set(`k${String(i + 10).padStart(4, '0')}`, 'new');
        await backend.delete(`k${String(i + 20).padStart(4, '0')}`);
        await backend.set(`k${String(i + 5).padStart(4, '0')}x`, 'added');
        await backend.compact();
      }
      i++;
    }
    expect(seen).toEqual(Array.from({ length: 300 }, (_, n) => [`k${String(n).padStart(4, '0')}`, `old-${n}`]));
    await backend.close();
  }, 60_000);
});
