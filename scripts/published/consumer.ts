// Type-checked by scripts/check-published.mjs against the packed tarballs, under node16,
// nodenext and bundler resolution with skipLibCheck off: what a TypeScript user compiles.
import {
  type AbstractBackend,
  type BackendSupports,
  type KeyValueMap,
  PersistentMap,
  type StorageBackend,
  StowageError,
  structuredCodec,
} from '@stowage/core';
import { CsvBackend } from '@stowage/csv';
import { LogBackend } from '@stowage/log';
import { MemoryBackend } from '@stowage/memory';
import { SqliteBackend } from '@stowage/sqlite';

export async function useEveryEngine(dir: string): Promise<number> {
  const backends: StorageBackend[] = [
    new MemoryBackend(),
    new SqliteBackend({ file: `${dir}/app.db` }),
    new LogBackend({ dir: `${dir}/log` }),
    new CsvBackend({ path: `${dir}/data.csv` }),
  ];
  let total = 0;
  for (const backend of backends) {
    const map: KeyValueMap<string, { user: string }> = await PersistentMap.open<string, { user: string }>(backend, {
      codec: structuredCodec,
    });
    await map.set('session:1', { user: 'ada' }, { ttl: 60_000 });
    const value: { user: string } | undefined = await map.get('session:1');
    total += value?.user.length ?? 0;
    const supports: BackendSupports = map.backend.supports;
    total += supports.maxKeyBytes > 0 ? 1 : 0;
    await map.close();
  }
  return total;
}

export function codeOf(error: unknown): string | undefined {
  return StowageError.is(error) ? error.code : undefined;
}

export type EngineBase = typeof AbstractBackend;
