import { join } from 'node:path';
import { describePowerCut } from '@stowage/conformance/power-cut';
import { CsvBackend } from './csv-backend.js';

// A small journal threshold, so the cuts also land in CSV rewrites and journal resets.
describePowerCut({
  name: 'csv (durability batch)',
  create: (fs, dir) => new CsvBackend({ fs, path: join(dir, 'store.csv'), minJournalBytes: 4096 }),
  durable: true,
});

// Without an fsync per write only what flush() and close() covered must survive.
describePowerCut({
  name: 'csv (durability none)',
  create: (fs, dir) => new CsvBackend({ fs, path: join(dir, 'store.csv'), minJournalBytes: 4096, durability: 'none' }),
  durable: false,
});
