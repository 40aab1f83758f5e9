/** The minimal append-only log (../minimal-log.ts): the floor the log engine is measured against. */
import { join } from 'node:path';
import { MinimalLog } from '../minimal-log.js';
import { allWorkloads, type Store, type Subject } from '../subject.js';

export const minimalLog: Subject = {
  id: 'minimal-log',
  label: 'minimal append-only log',
  group: 'reference',
  persistent: true,
  workloads: allWorkloads.filter((workload) => workload !== 'concurrent-set'),
  async prepare() {
    return { available: true, open: async (dir) => minimalLogStore(new MinimalLog(join(dir, 'minimal.log'))) };
  },
};

function minimalLogStore(log: MinimalLog): Store {
  return {
    setSync: (entry) => log.set(entry.key, entry.json),
    setChunk: (entries) => log.append(entries.map((entry) => [entry.key, entry.json] as const)),
    getSync: (key) => log.get(key),
    async iterate(shouldStop) {
      let count = 0;
      for (const key of log.keys()) {
        if (log.get(key) !== undefined) count++;
        if ((count & 1023) === 0 && shouldStop()) break;
      }
      return count;
    },
    async close() {
      log.close();
    },
  };
}
