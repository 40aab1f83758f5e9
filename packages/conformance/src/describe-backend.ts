/**
 * The one call an engine's test file makes: every case of the kit becomes an `it`, once on
 * the raw backend and once per PersistentMap cache mode. Cases the backend's `supports`
 * rules out are registered as skipped, so the report shows what was not proven.
 */
import { describe, it } from 'vitest';
import { approximateCases } from './cases/approximate.js';
import { kitCases } from './cases/index.js';
import { modeSupports, runCase } from './run-case.js';
import { allModes, type BackendKitOptions, type KitCase } from './types.js';

/** Generous, so a slow engine under a test file's default 5 s timeout still gets through. */
const defaultTimeout = 60_000;

export function describeBackend(kit: BackendKitOptions, cases: readonly KitCase[] = kitCases): void {
  describe(`conformance: ${kit.name}`, async () => {
    // One unopened instance tells the manifest; the kit never opens it.
    const probe = await kit.create();
    const supports = probe.supports;
    await probe.close();
    for (const mode of allModes) {
      describe(mode, () => {
        for (const kitCase of cases) {
          if (!(kitCase.modes ?? allModes).includes(mode)) continue;
          // An approximate engine runs only the cases written for approximate answers.
          const exactOk = supports.exactMembership || approximateCases.includes(kitCase);
          const runs = exactOk && (kitCase.gate?.(modeSupports(supports, mode), kit) ?? true);
          it.skipIf(!runs)(kitCase.name, () => runCase(kitCase, mode, kit), kitCase.timeout ?? defaultTimeout);
        }
      });
    }
  });
}
