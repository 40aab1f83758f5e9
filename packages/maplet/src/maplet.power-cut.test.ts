import { describePowerCut } from '@stowage/conformance/power-cut';
import { LogBackend } from './fixtures/inner-engines.fixture.js';
import { MapletBackend } from './maplet-backend.js';

// Exact mode over the log (batch): every acknowledged write survives, and the maplet, rebuilt
// from the log at open, never hides one of them.
describePowerCut({
  name: 'maplet (exact, over log batch)',
  create: (fs, dir) =>
    new MapletBackend({ inner: new LogBackend({ fs, dir, durability: 'batch', maxFileSize: 4096 }) }),
  durable: true,
  // 100 seeded cuts by default (the log's own tests run 500 per durability level); STOWAGE_POWER_CUTS raises it.
  cuts: Number(process.env.STOWAGE_POWER_CUTS ?? 100),
});
