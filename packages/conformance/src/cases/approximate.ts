/**
 * Approximate membership (engines that give `approximate`, such as a maplet in approximate
 * mode): a key that was set is never reported absent, and the measured false-positive rate
 * on keys never set stays within the rate the engine promises (with room for sampling noise).
 */
import type { KitCase } from '../types.js';

const present = 2_000;
const probes = 20_000;

export const approximateCases: KitCase[] = [
  {
    name: 'approximate membership: no false negative ever, and the measured false-positive rate stays within the promised one',
    modes: ['raw'],
    gate: (_supports, kit) => kit.approximate !== undefined,
    timeout: 120_000,
    async run(context) {
      const rate = context.kit.approximate!.falsePositiveRate;
      const store = await context.open();
      // '1': a value an approximate engine can hold whether it keeps counters or plain membership bits.
      for (let i = 0; i < present; i++) await store.set(`member:${i}`, '1');
      for (let i = 0; i < present; i++) {
        if (!(await store.has(`member:${i}`)))
          throw new Error(`member:${i} was set and is reported absent (a false negative)`);
      }
      let positives = 0;
      for (let i = 0; i < probes; i++) if (await store.has(`stranger:${i}`)) positives++;
      const measured = positives / probes;
      // Three standard deviations of a binomial sample above the promised rate.
      const allowed = rate + 3 * Math.sqrt((rate * (1 - rate)) / probes) + 1 / probes;
      if (measured > allowed) {
        throw new Error(
          `false-positive rate ${measured} over ${probes} probes exceeds the promised ${rate} (allowed ${allowed.toFixed(5)})`,
        );
      }
    },
  },
];
