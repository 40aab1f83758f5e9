/** @stowage/maplet in exact mode: a membership maplet in front of the log engine (batch), raw. */
import type { StorageBackend } from '@stowage/core';
import { loadOptional } from '../load-optional.js';
import type { Subject } from '../subject.js';
import { type BackendFactory, rawBackendSubject } from './stowage-backend.js';

type Constructor<Options> = new (options: Options) => StorageBackend;

async function loadMapletOverLog() {
  const maplet = await loadOptional<Record<string, unknown>>('@stowage/maplet', (module) =>
    typeof module.MapletBackend === 'function' ? undefined : 'does not export MapletBackend yet',
  );
  if (!maplet.ok) return maplet;
  const log = await loadOptional<Record<string, unknown>>('@stowage/log', (module) =>
    typeof module.LogBackend === 'function' ? undefined : 'does not export LogBackend yet',
  );
  if (!log.ok) return log;
  const Maplet = maplet.module.MapletBackend as Constructor<{ inner: StorageBackend; falsePositiveRate: number }>;
  const Log = log.module.LogBackend as Constructor<{ dir: string; durability: 'batch' }>;
  const create: BackendFactory = (dir) =>
    new Maplet({ inner: new Log({ dir, durability: 'batch' }), falsePositiveRate: 0.01 });
  return { ok: true as const, module: create };
}

/**
 * Measured on what the maplet changes: gets of present and missing keys after a reopen (and
 * the chunked fill they need). Writes go straight to the log and are the log's figures.
 */
export const mapletLog: Subject = {
  ...rawBackendSubject({
    id: 'maplet-log',
    label: 'maplet exact mode over log (raw, batch, ε 1%)',
    persistent: true,
    load: loadMapletOverLog,
  }),
  workloads: ['set-chunk', 'get-existing', 'get-missing'],
};
