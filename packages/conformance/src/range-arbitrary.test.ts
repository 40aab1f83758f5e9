import { assertValidRange } from '@stowage/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { durableByManifest } from './power-cut/options.js';
import { rangeArbitrary } from './range-arbitrary.js';
import { PlainBackend } from './self-test/broken-backends.fixture.js';

it('rangeArbitrary yields only ranges core accepts, with every option drawn', () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(rangeArbitrary(), (range) => {
      assertValidRange(range);
      for (const name of Object.keys(range)) seen.add(name);
    }),
    { seed: 7, numRuns: 300 },
  );
  expect([...seen].sort()).toEqual(['gt', 'gte', 'limit', 'lt', 'lte', 'prefix', 'reverse']);
});

it('the power-cut section derives what must survive from the manifest', () => {
  expect(durableByManifest(new PlainBackend({ persistent: true, durability: ['batch'] }))).toBe(true);
  expect(durableByManifest(new PlainBackend({ persistent: true, durability: ['always'] }))).toBe(true);
  expect(durableByManifest(new PlainBackend({ persistent: true, durability: ['none'] }))).toBe(false);
  expect(durableByManifest(new PlainBackend({ persistent: false, durability: [] }))).toBe(false);
});
