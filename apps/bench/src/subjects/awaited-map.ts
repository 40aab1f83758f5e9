/**
 * A Map behind async functions: the least any promise-returning store can cost. The issue 2
 * target compares PersistentMap's cache-hit get with this, since both pay for an await.
 */
import { type Store, type Subject, volatileWorkloads } from '../subject.js';

export const awaitedMap: Subject = {
  id: 'map-awaited',
  label: 'Map (awaited)',
  group: 'reference',
  persistent: false,
  workloads: volatileWorkloads,
  async prepare() {
    return { available: true, open: async () => openAwaitedMap() };
  },
};

function openAwaitedMap(): Store {
  const map = new Map<string, unknown>();
  return {
    async set(entry) {
      map.set(entry.key, entry.value);
    },
    async setChunk(entries) {
      for (const entry of entries) map.set(entry.key, entry.value);
    },
    async get(key) {
      return map.get(key);
    },
    async iterate(shouldStop) {
      let count = 0;
      for (const [, value] of map) {
        // One await per entry, as an async iterator of a store would cost.
        if ((await value) !== undefined) count++;
        if ((count & 1023) === 0 && shouldStop()) break;
      }
      return count;
    },
    async close() {
      map.clear();
    },
  };
}
