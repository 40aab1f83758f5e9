/**
 * How fast one fsync per write can go on this disk: each set appends one small record and
 * fsyncs before it resolves. Its sequential-set rate is the ceiling of any store that makes
 * each write durable on its own, which group commit must beat by sharing fsyncs.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Subject } from '../subject.js';

export const fsyncProbe: Subject = {
  id: 'fsync-probe',
  label: 'one fsync per write (probe)',
  group: 'reference',
  persistent: true,
  workloads: ['set-seq'],
  async prepare() {
    return {
      available: true,
      async open(dir) {
        const fd = openSync(join(dir, 'probe.log'), 'a');
        return {
          setSync(entry) {
            writeSync(fd, `${entry.key}\t${entry.json}\n`);
            fsyncSync(fd);
          },
          setChunk() {
            throw new Error('the fsync probe only measures single writes');
          },
          getSync() {
            throw new Error('the fsync probe stores nothing to read');
          },
          async iterate() {
            throw new Error('the fsync probe stores nothing to read');
          },
          async close() {
            closeSync(fd);
          },
        };
      },
    };
  },
};
