/** What `stats()` reports: levels, files, memory, cache, bytes written and write amplification. */
import { levelBytes, levelTarget } from './compaction.js';
import type { RecoveryReport, StoreState } from './store-state.js';

export interface LevelStats {
  readonly level: number;
  readonly files: number;
  readonly bytes: number;
  readonly entries: number;
  readonly tombstones: number;
  /** The size compaction aims to keep this level under (level 0: counted in files instead). */
  readonly targetBytes: number | undefined;
}

export interface SegmentStats {
  readonly levels: readonly LevelStats[];
  readonly files: number;
  readonly bytes: number;
  readonly memtable: { readonly bytes: number; readonly entries: number; readonly frozen: number };
  /** Filter bits per stored entry, over all segments. */
  readonly filterBitsPerKey: number;
  /** Memory held for segment indexes and filters. */
  readonly indexAndFilterBytes: number;
  readonly blockCache: {
    readonly capacity: number;
    readonly bytes: number;
    readonly hits: number;
    readonly misses: number;
    readonly hitRate: number;
  };
  readonly written: {
    /** Key and value bytes of acknowledged writes. */
    readonly user: number;
    readonly wal: number;
    readonly flush: number;
    readonly compaction: number;
  };
  /** (WAL + flush + compaction bytes) / user bytes; 0 before any write. */
  readonly writeAmplification: number;
  readonly flushes: number;
  readonly compactions: number;
  /** Compactions done by moving a file down a level without rewriting it. */
  readonly trivialMoves: number;
  readonly recovery: RecoveryReport;
}

export function storeStats(state: StoreState): SegmentStats {
  const levels: LevelStats[] = [];
  let files = 0;
  let bytes = 0;
  let entries = 0;
  let filterBytes = 0;
  let resident = 0;
  state.version.levels.forEach((tables, level) => {
    let levelEntries = 0;
    let tombstones = 0;
    for (const table of tables) {
      levelEntries += table.meta.entries;
      tombstones += table.meta.tombstones;
      filterBytes += table.reader.filterBytes;
      resident += table.reader.residentBytes;
    }
    const size = levelBytes(tables);
    levels.push({
      level,
      files: tables.length,
      bytes: size,
      entries: levelEntries,
      tombstones,
      targetBytes: level === 0 ? undefined : levelTarget(state, level),
    });
    files += tables.length;
    bytes += size;
    entries += levelEntries;
  });
  const c = state.counters;
  const cache = state.cache;
  return {
    levels,
    files,
    bytes,
    memtable: {
      bytes: state.active.bytes + state.immutables.reduce((sum, memtable) => sum + memtable.bytes, 0),
      entries: state.active.size,
      frozen: state.immutables.length,
    },
    filterBitsPerKey: entries === 0 ? 0 : (filterBytes * 8) / entries,
    indexAndFilterBytes: resident,
    blockCache: {
      capacity: cache.capacity,
      bytes: cache.bytes,
      hits: cache.hits,
      misses: cache.misses,
      hitRate: cache.hitRate,
    },
    written: { user: c.userBytes, wal: c.walBytes, flush: c.flushBytes, compaction: c.compactionBytes },
    writeAmplification: c.userBytes === 0 ? 0 : (c.walBytes + c.flushBytes + c.compactionBytes) / c.userBytes,
    flushes: c.flushes,
    compactions: c.compactions,
    trivialMoves: c.trivialMoves,
    recovery: state.recovery,
  };
}
