/**
 * The one place the demo names an engine. Everything else holds a KeyValueMap and never
 * learns which engine is underneath: switching engines is a change here, not in the code
 * that uses the map.
 */
import { join } from 'node:path';
import { type KeyValueMap, PersistentMap, type StorageBackend } from '@stowage/core';
import { CsvBackend } from '@stowage/csv';
import { LogBackend } from '@stowage/log';
import { SqliteBackend } from '@stowage/sqlite';

export type EngineName = 'sqlite' | 'log' | 'csv';

export const engineDescriptions: Record<EngineName, string> = {
  sqlite: 'one SQLite file',
  log: 'an append-only log directory',
  csv: 'a CSV file a person can open in a spreadsheet',
};

/** Where each engine keeps its data inside `dir`. */
export function storePath(engine: EngineName, dir: string): string {
  return join(dir, { sqlite: 'app.db', log: 'app-log', csv: 'app.csv' }[engine]);
}

function backendFor(engine: EngineName, dir: string): StorageBackend {
  const path = storePath(engine, dir);
  switch (engine) {
    case 'sqlite':
      return new SqliteBackend({ file: path });
    case 'log':
      return new LogBackend({ dir: path });
    case 'csv':
      return new CsvBackend({ path });
  }
}

/** Opens the app's store on `engine`; expired entries are swept from the files every 100 ms. */
export function openStore(engine: EngineName, dir: string): Promise<KeyValueMap<string, unknown>> {
  return PersistentMap.open<string, unknown>(backendFor(engine, dir), { sweepInterval: 100 });
}
