import { describePowerCut } from '@stowage/conformance/power-cut';
import { SegmentBackend } from './segment-backend.js';

// batch and always promise every acknowledged write; none promises only what a completed
// flush() or close() covered. Small memtables and files, so cuts land in flushes,
// compactions and manifest edits too. STOWAGE_POWER_CUTS sets the cuts per configuration.
const cuts = Number(process.env.STOWAGE_POWER_CUTS ?? 120);
const small = { memtableBytes: 4096, targetFileBytes: 4096, level0Trigger: 2, baseLevelBytes: 16 * 1024 } as const;

describePowerCut({
  name: 'segment (durability batch)',
  create: (fs, dir) => new SegmentBackend({ fs, dir, durability: 'batch', ...small }),
  durable: true,
  cuts,
});
describePowerCut({
  name: 'segment (durability always)',
  create: (fs, dir) => new SegmentBackend({ fs, dir, durability: 'always', ...small }),
  durable: true,
  cuts: Math.ceil(cuts / 3),
});
describePowerCut({
  name: 'segment (durability none)',
  create: (fs, dir) => new SegmentBackend({ fs, dir, durability: 'none', ...small }),
  durable: false,
  cuts: Math.ceil(cuts / 3),
});
