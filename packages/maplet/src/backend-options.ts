/** Options of a MapletBackend, checked once at construction. */
import { assertKnownOptions, type DurabilityLevel, StowageError } from '@stowage/core';
import type { MapletBackendOptions } from './maplet-backend.js';
import { type MapletOptions, ORIGIN } from './maplet-config.js';

const known = ['inner', 'dir', 'fs', 'durability', 'falsePositiveRate', 'maplet', 'checkpointRecords'];

export interface ResolvedBackendOptions {
  readonly maplet: MapletOptions;
  readonly durability: DurabilityLevel;
}

export function resolveBackendOptions(options: MapletBackendOptions): ResolvedBackendOptions {
  const fail = (why: string): never => {
    throw new StowageError('INVALID_CONFIG', why, { origin: ORIGIN });
  };
  // Refuses a non-object (null, an array, a string) too, with the same INVALID_CONFIG.
  assertKnownOptions(ORIGIN, options, known);
  const inner = options.inner;
  if (inner !== undefined) {
    const needed = [
      'open',
      'close',
      'get',
      'set',
      'delete',
      'entries',
      'keys',
      'size',
      'has',
      'getMany',
      'apply',
      'clear',
    ];
    if (
      typeof inner !== 'object' ||
      inner === null ||
      needed.some((method) => typeof (inner as unknown as Record<string, unknown>)[method] !== 'function')
    ) {
      fail('inner must be a Stowage backend (with keys, size, has, getMany, apply and clear)');
    }
    if (options.dir !== undefined) fail('exact mode keeps nothing on disk of its own: give inner or dir, not both');
  }
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === ''))
    fail('dir must be a non-empty path');
  const durability = options.durability ?? 'batch';
  if (!['none', 'batch', 'always'].includes(durability)) fail('durability must be none, batch or always');
  const maplet = { ...(options.maplet ?? {}) };
  if (options.falsePositiveRate !== undefined) {
    if (maplet.falsePositiveRate !== undefined && maplet.falsePositiveRate !== options.falsePositiveRate) {
      fail('falsePositiveRate is given twice with different values');
    }
    Object.assign(maplet, { falsePositiveRate: options.falsePositiveRate });
  }
  return { maplet, durability };
}
