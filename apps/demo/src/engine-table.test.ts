/**
 * The root README's "What differs between engines" table, checked against each engine's
 * own `supports` manifest, so the table cannot promise what an engine does not declare.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendSupports, StorageBackend } from '@stowage/core';
import { CsvBackend } from '@stowage/csv';
import { LogBackend } from '@stowage/log';
import { MapletBackend } from '@stowage/maplet';
import { MemoryBackend } from '@stowage/memory';
import { SegmentBackend } from '@stowage/segment';
import { SqliteBackend } from '@stowage/sqlite';
import { afterAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'stowage-engine-table-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Each column of the table, as a user constructs it with defaults. */
const engines: Record<string, () => StorageBackend> = {
  memory: () => new MemoryBackend(),
  sqlite: () => new SqliteBackend({ file: join(folder, 'store.db') }),
  csv: () => new CsvBackend({ path: join(folder, 'store.csv') }),
  log: () => new LogBackend({ dir: join(folder, 'log') }),
  segment: () => new SegmentBackend({ dir: join(folder, 'segment') }),
  maplet: () => new MapletBackend({ dir: join(folder, 'maplet') }),
};

/** Table rows that state a manifest field, and how to read the field as the cell's first word. */
const rows: Record<string, (supports: BackendSupports) => string> = {
  persistent: (supports) => yesNo(supports.persistent),
  'ordered iteration': (supports) => yesNo(supports.orderedIteration),
  'atomic batches': (supports) => yesNo(supports.atomicBatch),
  transactions: (supports) => yesNo(supports.transactions),
  versions: (supports) => yesNo(supports.versions),
  'native TTL': (supports) => yesNo(supports.nativeTtl),
  'exact answers': (supports) => yesNo(supports.exactMembership),
  'several processes': (supports) => yesNo(supports.multiProcess),
  'default durability': (supports) => supports.durability[0] ?? '—',
};

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function readTable(): { columns: string[]; cells: Map<string, string[]> } {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## What differs between engines'));
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  const split = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
  const columns = split(lines[0]!).slice(1);
  const cells = new Map(lines.slice(2).map((line) => [split(line)[0]!, split(line).slice(1)] as const));
  return { columns, cells };
}

describe('the root README engine table', () => {
  const { columns, cells } = readTable();

  it('has a column for every engine package', () => {
    expect(columns).toEqual(Object.keys(engines));
  });

  it.each(Object.keys(rows))('row "%s" matches every engine’s supports manifest', (row) => {
    const stated = cells.get(row);
    expect(stated, `the table has no row "${row}"`).toBeDefined();
    columns.forEach((engine, index) => {
      const supports = engines[engine]!().supports;
      const firstWord = stated![index]!.replace(/`/g, '').split(/[\s(:]/)[0];
      expect(`${engine}: ${firstWord}`).toBe(`${engine}: ${rows[row]!(supports)}`);
    });
  });
});
