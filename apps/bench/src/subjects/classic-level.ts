/** classic-level (LevelDB) with utf8 values: `put`, `batch` per chunk, async `get`. */
import { join } from 'node:path';
import { exportsFunctions, loadOptional } from '../load-optional.js';
import { allWorkloads, type Store, type Subject } from '../subject.js';

interface Level {
  open(): Promise<void>;
  put(key: string, value: string): Promise<void>;
  batch(operations: { type: 'put'; key: string; value: string }[]): Promise<void>;
  get(key: string): Promise<string | undefined>;
  iterator(): AsyncIterable<[string, string]>;
  close(): Promise<void>;
}
type LevelConstructor = new (location: string, options: { valueEncoding: 'utf8' }) => Level;

export const classicLevel: Subject = {
  id: 'classic-level',
  label: 'classic-level',
  group: 'peer',
  persistent: true,
  workloads: allWorkloads,
  async prepare() {
    const loaded = await loadOptional<{ ClassicLevel: LevelConstructor }>(
      'classic-level',
      exportsFunctions('ClassicLevel'),
    );
    if (!loaded.ok) return { available: false, reason: loaded.reason };
    const { ClassicLevel } = loaded.module;
    return {
      available: true,
      async open(dir) {
        const db = new ClassicLevel(join(dir, 'peer.level'), { valueEncoding: 'utf8' });
        await db.open();
        return levelStore(db);
      },
    };
  },
};

function levelStore(db: Level): Store {
  return {
    set: (entry) => db.put(entry.key, entry.json),
    setChunk: (entries) => db.batch(entries.map((entry) => ({ type: 'put', key: entry.key, value: entry.json }))),
    get: (key) => db.get(key),
    async iterate(shouldStop) {
      let count = 0;
      for await (const [, value] of db.iterator()) {
        if (value !== undefined) count++;
        if ((count & 1023) === 0 && shouldStop()) break;
      }
      return count;
    },
    close: () => db.close(),
  };
}
