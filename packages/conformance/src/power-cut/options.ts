/** What an engine hands to `describePowerCut`. */
import type { StorageBackend } from '@stowage/core';
import type { FileSystem } from '@stowage/fs';

export interface PowerCutOptions {
  /** Shown in the report, e.g. `log (durability batch)`. */
  readonly name: string;
  /**
   * A new, unopened backend that does all its file work through `fs`, storing in folder
   * `dir` (which exists). Called again, on a new mount of the same disk, to reopen.
   */
  readonly create: (fs: FileSystem, dir: string) => StorageBackend | Promise<StorageBackend>;
  /**
   * Whether an acknowledged write must survive a power cut. Default: from the manifest,
   * true when `supports.durability` names `batch` or `always` and not `none`. When false, the section
   * expects only what a completed `flush()` or `close()` covered to survive, and states
   * exactly what may be lost in its failure messages.
   */
  readonly durable?: boolean | ((backend: StorageBackend) => boolean);
  /** Seeded power cuts to run; default `STOWAGE_POWER_CUTS` or 500. */
  readonly cuts?: number;
  /** The first seed; default `STOWAGE_POWER_CUT_SEED` or 1. Set both to replay one failing seed. */
  readonly firstSeed?: number;
  /** Run the EIO/ENOSPC fault cases; default true. */
  readonly faults?: boolean;
  /**
   * Engines with background work (merge, compaction, resize): `run` is called over and over
   * while the writes go on, so cuts land before, between and inside maintenance runs. Give the
   * engine tiny thresholds in `create` so every run has work. Cuts default to
   * `STOWAGE_MAINTENANCE_POWER_CUTS` or 100 for such a configuration.
   */
  readonly maintenance?: { run(backend: StorageBackend): Promise<void> };
}

export function resolveCuts(options: PowerCutOptions): number {
  const cuts =
    options.cuts ??
    (options.maintenance
      ? Number(process.env.STOWAGE_MAINTENANCE_POWER_CUTS ?? 100)
      : Number(process.env.STOWAGE_POWER_CUTS ?? 500));
  if (!(Number.isInteger(cuts) && cuts >= 0)) throw new RangeError(`power cuts must be a whole number, got ${cuts}`);
  return cuts;
}

export function resolveFirstSeed(options: PowerCutOptions): number {
  const seed = options.firstSeed ?? Number(process.env.STOWAGE_POWER_CUT_SEED ?? 1);
  if (!(Number.isInteger(seed) && seed >= 0)) throw new RangeError(`a seed must be a whole number, got ${seed}`);
  return seed;
}

/** Whether `backend` promises acknowledged writes survive a cut. */
export function isDurable(options: PowerCutOptions, backend: StorageBackend): boolean {
  if (options.durable === undefined) return durableByManifest(backend);
  return typeof options.durable === 'function' ? options.durable(backend) : options.durable;
}

/** What the manifest promises: every acknowledged write survives unless it names `none`. */
export function durableByManifest(backend: StorageBackend): boolean {
  const levels = backend.supports.durability;
  return levels.length > 0 && !levels.includes('none');
}
