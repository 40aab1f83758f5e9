/** The floor every store is compared with: a JavaScript Map, called synchronously. */
import type { Entry } from '../data.js';
import { type Store, type Subject, volatileWorkloads } from '../subject.js';

export const plainMap: Subject = {
  id: 'map',
  label: 'Map',
  group: 'reference',
  persistent: false,
  workloads: volatileWorkloads.filter((workload) => workload !== 'concurrent-set'),
  async prepare() {
    return { available: true, open: async () => openPlainMap() };
  },
};

function openPlainMap(): Store {
  const map = new Map<string, unknown>();
  return {
    setSync(entry: Entry) {
      map.set(entry.key, entry.value);
    },
    setChunk(entries) {
      for (const entry of entries) map.set(entry.key, entry.value);
    },
    getSync(key) {
      return map.get(key);
    },
    async iterate(shouldStop) {
      let count = 0;
      for (const [, value] of map) {
        if (value !== undefined) count++;
        if ((count & 1023) === 0 && shouldStop()) break;
      }
      return count;
    },
    async close() {
      map.clear();
    },
  };
}
