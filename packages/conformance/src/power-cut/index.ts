/**
 * The kit's power-cut section, `@stowage/conformance/power-cut`, for engines that do their
 * file work through `@stowage/fs`: seeded power cuts on a simulated disk, then EIO and
 * ENOSPC faults. An engine's test file calls it once:
 *
 *   describePowerCut({ name: 'log', create: (fs, dir) => new LogBackend({ fs, dir }), durable: true });
 *
 * `STOWAGE_POWER_CUTS` sets how many cuts run (default 500; 10000 for a long run), and
 * `STOWAGE_POWER_CUT_SEED` the first seed, so a failure replays from the seed it names.
 * With `maintenance: { run }` the engine's background work runs over and over during the
 * writes, so cuts land inside it (`STOWAGE_MAINTENANCE_POWER_CUTS`, default 100).
 */
import { describe, expect, it } from 'vitest';
import { checkFaultCase, type FaultCase, faultCases } from './faults.js';
import { type PowerCutOptions, resolveCuts, resolveFirstSeed } from './options.js';
import { checkPowerCutSeed, PowerCutFailure } from './scenario.js';

export type { FaultCase } from './faults.js';
export type { PowerCutOptions } from './options.js';
export { PowerCutFailure } from './scenario.js';

/** Seeds per vitest case, so a long run reports progress and no single case runs for ever. */
const SEEDS_PER_CASE = 250;

/** Registers the section's vitest cases for one engine configuration. */
export function describePowerCut(options: PowerCutOptions): void {
  const cuts = resolveCuts(options);
  const firstSeed = resolveFirstSeed(options);
  describe(`power cut: ${options.name}`, () => {
    for (let from = firstSeed; from < firstSeed + cuts; from += SEEDS_PER_CASE) {
      const count = Math.min(SEEDS_PER_CASE, firstSeed + cuts - from);
      const seeds = count === 1 ? `seed ${from}` : `seeds ${from}..${from + count - 1}`;
      it(
        `keeps every promised write and nothing torn across power cuts (${seeds})`,
        async () => {
          expect(await runPowerCuts(options, from, count)).toBe(count);
        },
        Math.max(60_000, count * 1_000),
      );
    }
    if (options.faults !== false) {
      it('rejects a write hit by EIO or ENOSPC with code IO, stays consistent and works again once it clears', async () => {
        const hits = await runFaultCases(options);
        // A section that never managed to fail a write would prove nothing.
        expect(hits, 'no injected fault ever hit a write of this store').toBeGreaterThan(0);
      });
    }
  });
}

/** Runs `count` seeded cuts from `firstSeed`; throws PowerCutFailure at the first broken one; resolves with the count run. */
export async function runPowerCuts(options: PowerCutOptions, firstSeed: number, count: number): Promise<number> {
  for (let seed = firstSeed; seed < firstSeed + count; seed++) {
    await withSeed(options.name, seed, () => checkPowerCutSeed(options, seed));
  }
  return count;
}

/** Runs every fault case (or those given); throws PowerCutFailure at the first broken one; resolves with how many hit a write. */
export async function runFaultCases(
  options: PowerCutOptions,
  cases: readonly FaultCase[] = faultCases(),
): Promise<number> {
  let hits = 0;
  for (const faultCase of cases) {
    const label = `${options.name}, ${faultCase.code} on ${faultCase.operation}`;
    if (await withSeed(label, faultCase.seed, () => checkFaultCase(options, faultCase))) hits++;
  }
  return hits;
}

/** Any error escaping a seed becomes a failure naming it. */
async function withSeed<T>(name: string, seed: number, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof PowerCutFailure) throw error;
    throw new PowerCutFailure(
      name,
      seed,
      `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}
