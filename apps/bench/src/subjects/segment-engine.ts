/** @stowage/segment (the LSM engine), raw, at durability batch (classic-level's writes are not fsynced: see targets). */
import { loadEngine, rawBackendSubject } from './stowage-backend.js';

export const segmentBatch = rawBackendSubject({
  id: 'segment-batch',
  label: 'segment engine (raw, durability batch)',
  persistent: true,
  load: () => loadEngine('@stowage/segment', 'SegmentBackend', (dir: string) => ({ dir, durability: 'batch' })),
});

export const segmentNone = rawBackendSubject({
  id: 'segment-none',
  label: 'segment engine (raw, durability none)',
  persistent: true,
  load: () => loadEngine('@stowage/segment', 'SegmentBackend', (dir: string) => ({ dir, durability: 'none' })),
});
