import { describePowerCut } from '@stowage/conformance/power-cut';
import { LogBackend } from './log-backend.js';

// batch and always promise every acknowledged write; none promises only what a completed
// flush() or close() covered (the OS may lose the rest of the newest file's tail).
describePowerCut({
  name: 'log (durability batch)',
  create: (fs, dir) => new LogBackend({ fs, dir, durability: 'batch', maxFileSize: 4096 }),
  durable: true,
});
describePowerCut({
  name: 'log (durability always)',
  create: (fs, dir) => new LogBackend({ fs, dir, durability: 'always' }),
  durable: true,
});
describePowerCut({
  name: 'log (durability none)',
  create: (fs, dir) => new LogBackend({ fs, dir, durability: 'none', maxFileSize: 4096 }),
  durable: false,
});
// Merge over and over on 8 KiB files while the writes go on: cuts land before, between and
// inside merges (STOWAGE_MAINTENANCE_POWER_CUTS, default 100, raises the count).
describePowerCut({
  name: 'log (durability batch, merge running)',
  create: (fs, dir) => new LogBackend({ fs, dir, durability: 'batch', maxFileSize: 8 * 1024 }),
  maintenance: {
    run: async (backend) => {
      await (backend as LogBackend).merge();
    },
  },
  faults: false,
});
