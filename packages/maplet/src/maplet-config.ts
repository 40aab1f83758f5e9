/** Options of a Maplet, checked once, and the sizes derived from them. */
import { assertKnownOptions, StowageError } from '@stowage/core';
import { type MergeOperator, type MergeOperatorName, mergeOperators } from './merge-operators.js';

export const ORIGIN = '@stowage/maplet';

/**
 * What happens when the newest table is full and doubling it again would leave too few
 * remainder bits for the rate:
 * - `chain` (default): a new table with longer fingerprints takes the newer entries
 *   (InfiniFilter-style), each table getting half the error budget of the one before;
 * - `fixed`: no growth at all, an insert past the capacity fails with CAPACITY;
 * - `{ rebuild }`: a fresh table at twice the size, filled again from the exact source.
 */
export type GrowthPolicy =
  | 'chain'
  | 'fixed'
  | { readonly rebuild: () => Iterable<readonly [string | Uint8Array, number]> };

export interface MapletOptions {
  /** Target false-positive rate ε, from 2^-30 to 0.5 (default 0.01). */
  readonly falsePositiveRate?: number;
  /** Keys the first table holds at `maxLoad` (default 1,024). */
  readonly capacity?: number;
  /** Bits of the value stored beside each fingerprint, 0 to 32 (default 0: a membership filter). */
  readonly valueBits?: number;
  /** How colliding values combine (default `sum` with values, `or` without). */
  readonly merge?: MergeOperatorName | MergeOperator;
  /** Load at which a table grows, 0.5 to 0.95 (default 0.9). */
  readonly maxLoad?: number;
  /** See GrowthPolicy (default `chain`). */
  readonly growth?: GrowthPolicy;
  /** Spare remainder bits a table starts with so it can double in place that many times (default 2; 0 with `fixed`). */
  readonly growthBits?: number;
  /** Hash seed (default 0). Two maplets can only be united when their seeds are equal. */
  readonly seed?: number;
}

export interface MapletSettings {
  readonly falsePositiveRate: number;
  readonly capacity: number;
  readonly valueBits: number;
  readonly maxValue: number;
  readonly merge: MergeOperator;
  readonly maxLoad: number;
  readonly growth: GrowthPolicy;
  readonly growthBits: number;
  readonly seed: number;
}

const known = ['falsePositiveRate', 'capacity', 'valueBits', 'merge', 'maxLoad', 'growth', 'growthBits', 'seed'];

export function resolveMapletOptions(options: MapletOptions = {}): MapletSettings {
  const fail = (why: string): never => {
    throw new StowageError('INVALID_CONFIG', why, { origin: ORIGIN });
  };
  // Refuses a non-object (null, an array, a string) too, with the same INVALID_CONFIG.
  assertKnownOptions(ORIGIN, options, known);
  const falsePositiveRate = options.falsePositiveRate ?? 0.01;
  if (!(typeof falsePositiveRate === 'number' && falsePositiveRate >= 2 ** -30 && falsePositiveRate <= 0.5)) {
    fail(`falsePositiveRate must be a number from 2^-30 to 0.5, got ${String(falsePositiveRate)}`);
  }
  const capacity = options.capacity ?? 1024;
  if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= 2 ** 30)) {
    fail(`capacity must be an integer from 1 to 2^30, got ${String(capacity)}`);
  }
  const valueBits = options.valueBits ?? 0;
  if (!(Number.isInteger(valueBits) && valueBits >= 0 && valueBits <= 32)) {
    fail(`valueBits must be an integer from 0 to 32, got ${String(valueBits)}`);
  }
  const mergeOption = options.merge ?? (valueBits === 0 ? 'or' : 'sum');
  let merge: MergeOperator;
  if (typeof mergeOption === 'string') {
    merge =
      mergeOperators[mergeOption] ??
      fail(`merge must be one of ${Object.keys(mergeOperators).join(', ')} or an operator object`);
  } else if (
    // (a null merge option is the default: `??` above)
    typeof mergeOption === 'object' &&
    typeof mergeOption.merge === 'function' &&
    typeof mergeOption.name === 'string'
  ) {
    merge = mergeOption;
  } else {
    merge = fail('merge must be an operator name or an object with a name and a merge function');
  }
  if (merge.counting === true && valueBits === 0) fail(`the ${merge.name} operator needs valueBits of at least 1`);
  const maxLoad = options.maxLoad ?? 0.9;
  if (!(typeof maxLoad === 'number' && maxLoad >= 0.5 && maxLoad <= 0.95)) {
    fail(`maxLoad must be a number from 0.5 to 0.95, got ${String(maxLoad)}`);
  }
  const growth = options.growth ?? 'chain';
  if (
    growth !== 'chain' &&
    growth !== 'fixed' &&
    !(typeof growth === 'object' && typeof growth.rebuild === 'function')
  ) {
    fail("growth must be 'chain', 'fixed' or { rebuild() }");
  }
  const growthBits = options.growthBits ?? (growth === 'fixed' ? 0 : 2);
  if (!(Number.isInteger(growthBits) && growthBits >= 0 && growthBits <= 8)) {
    fail(`growthBits must be an integer from 0 to 8, got ${String(growthBits)}`);
  }
  const seed = options.seed ?? 0;
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) fail('seed must be an unsigned 32-bit integer');
  const maxValue = 2 ** valueBits - 1; // exact up to 32 bits
  return { falsePositiveRate, capacity, valueBits, maxValue, merge, maxLoad, growth, growthBits, seed };
}

/** Home-slot bits for `keys` keys at `maxLoad`: at least one 64-slot block. */
export function quotientBitsFor(keys: number, maxLoad: number): number {
  return Math.max(6, Math.ceil(Math.log2(keys / maxLoad)));
}

/**
 * The fewest remainder bits that keep table `generation` within its share of ε at full
 * load: an absent key matches with probability at most load · 2^-r (one run of expected
 * length `load` to compare against). Under `chain`, table i gets ε / 2^(i+1), so all of
 * them together stay under ε; a single table (fixed, rebuild) gets all of ε.
 */
export function remainderFloor(settings: MapletSettings, generation: number): number {
  const share =
    settings.growth === 'chain' ? settings.falsePositiveRate / 2 ** (generation + 1) : settings.falsePositiveRate;
  return Math.max(1, Math.ceil(Math.log2(settings.maxLoad / share) - 1e-9));
}
