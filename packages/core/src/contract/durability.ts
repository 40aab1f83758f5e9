/**
 * One meaning of durability end to end: an engine's `durability` option resolves to a
 * core DurabilityLevel (engine-specific names only as declared aliases), and its manifest
 * reports that level, so tools and the conformance kit can derive what must survive.
 */

import { StowageError } from './errors.js';
import { closest } from './known-options.js';
import { DURABILITY_LEVELS, type DurabilityLevel } from './storage-backend.js';

export interface DurabilityChoice {
  /** The level when the option is absent. */
  readonly default: DurabilityLevel;
  /** The levels the engine offers (default: all of them). */
  readonly offered?: readonly DurabilityLevel[];
  /** Engine-specific names, each standing for one level (document them in the engine's README). */
  readonly aliases?: Readonly<Record<string, DurabilityLevel>>;
}

/**
 * The DurabilityLevel an engine's `durability` option means: `given` itself when it is an
 * offered level, the level an alias stands for, `choice.default` when undefined. Anything
 * else is INVALID_CONFIG naming what is accepted (and the closest name when one is near).
 */
export function resolveDurability(origin: string, given: unknown, choice: DurabilityChoice): DurabilityLevel {
  const offered = choice.offered ?? DURABILITY_LEVELS;
  const aliases = choice.aliases ?? {};
  if (given === undefined) return choice.default;
  if (typeof given === 'string') {
    if ((offered as readonly string[]).includes(given)) return given as DurabilityLevel;
    const alias = Object.hasOwn(aliases, given) ? aliases[given] : undefined;
    if (alias !== undefined && offered.includes(alias)) return alias;
  }
  const names = [...offered, ...Object.keys(aliases).filter((name) => offered.includes(aliases[name]!))];
  const suggestion = typeof given === 'string' ? closest(given, names) : undefined;
  throw new StowageError(
    'INVALID_CONFIG',
    `durability must be one of ${names.map((name) => JSON.stringify(name)).join(', ')}, got ${
      typeof given === 'string' ? JSON.stringify(given) : String(given)
    }${suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`}`,
    { origin },
  );
}

/** Throws INVALID_CONFIG unless `levels` is an array of distinct DurabilityLevel names (a manifest's `durability`). */
export function assertDurabilityLevels(origin: string, levels: unknown): asserts levels is readonly DurabilityLevel[] {
  if (!Array.isArray(levels)) {
    throw new StowageError('INVALID_CONFIG', 'supports.durability must be an array of durability levels', { origin });
  }
  for (const level of levels) {
    if (!(DURABILITY_LEVELS as readonly unknown[]).includes(level)) {
      throw new StowageError(
        'INVALID_CONFIG',
        `supports.durability may only name ${DURABILITY_LEVELS.map((name) => JSON.stringify(name)).join(', ')}, got ${JSON.stringify(level)}`,
        { origin },
      );
    }
  }
  if (new Set(levels).size !== levels.length) {
    throw new StowageError('INVALID_CONFIG', 'supports.durability names a level twice', { origin });
  }
}
