/**
 * The measured false-positive rate over absent keys, against the bound. CI probes 100,000
 * absent keys per rate; STOWAGE_MAPLET_PROBES=1000000 runs the long version.
 */
import { describe, expect, it } from 'vitest';
import { Maplet } from './maplet.js';

const probes = Number(process.env.STOWAGE_MAPLET_PROBES ?? 100_000);

describe('false-positive rate over absent keys', () => {
  for (const epsilon of [0.01, 0.001]) {
    for (const growth of ['fixed', 'chain'] as const) {
      it(`ε = ${epsilon}, growth ${growth}: within the theoretical rate + 4σ and under ε at ${probes} probes`, () => {
        const keys = Math.floor(0.9 * 2 ** 16); // one table of 2^16 slots at load 0.9
        // fixed: one table sized for the keys, filled to about 0.9; chain: grown from 1/10 of them.
        const maplet = new Maplet({
          falsePositiveRate: epsilon,
          capacity: growth === 'fixed' ? keys : Math.floor(keys / 10),
          growth,
          valueBits: 4,
          merge: 'max',
        });
        for (let i = 0; i < keys; i++) maplet.insert(`present:${i}`, i % 16);
        for (let i = 0; i < keys; i++) if (maplet.get(`present:${i}`) === undefined) expect.fail(`present:${i} lost`);
        let falsePositives = 0;
        for (let i = 0; i < probes; i++) if (maplet.get(`absent:${i}`) !== undefined) falsePositives++;
        const measured = falsePositives / probes;
        const stats = maplet.stats(20_000);
        const theoretical = stats.theoreticalFalsePositiveRate;
        const sigma = Math.sqrt((theoretical * (1 - theoretical)) / probes);
        expect(measured).toBeLessThanOrEqual(theoretical + 4 * sigma);
        expect(theoretical).toBeLessThanOrEqual(epsilon);
        expect(measured).toBeLessThanOrEqual(epsilon);
        if (growth === 'fixed') expect(stats.loadFactor).toBeGreaterThan(0.85);
        // The sampled estimate in stats() agrees with the keyed measurement.
        const sampled = stats.measuredFalsePositiveRate;
        expect(measured).toBeGreaterThanOrEqual(sampled.low - 4 * sigma);
        expect(measured).toBeLessThanOrEqual(sampled.high + 4 * sigma);
      });
    }
  }
});
