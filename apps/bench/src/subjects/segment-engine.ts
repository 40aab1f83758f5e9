/** @stowage/segment (the LSM engine), raw, at durability batch. */
import { loadEngine, rawBackendSubject } from './stowage-backend.js';

export const segmentBatch = rawBackendSubject({
  id: 'segment-batch',
  label: 'segment engine (raw, durability batch)',
  persistent: true,
  load: () => loadEngine('@stowage/segment', 'SegmentBackend', (dir: string) => ({ dir, durability: 'batch' })),
});
