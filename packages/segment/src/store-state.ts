/**
 * The state of an open store: the memtables, the current version (which segment files
 * make each level), the shared block cache and the counters `stats()` reports. A version
 * is immutable; a flush or compaction makes a new one once its manifest edit is durable.
 * Iterators hold the version they started on, and a file dropped by a compaction is
 * closed and deleted only when no version that lists it is held any more.
 */
import { join } from 'node:path';
import { compareKeys, type EncodedValue } from '@stowage/core';
import { closeQuietly, type FileHandle, type FileLock, unlinkQuietly } from '@stowage/fs';
import { BlockCache } from './block-cache.js';
import { keyHash } from './bloom-filter.js';
import { LEVEL_COUNT } from './limits.js';
import { type FileMeta, type ManifestData, segmentName, writeManifest } from './manifest.js';
import { Memtable } from './memtable.js';
import type { LevelFile } from './merge-cursor.js';
import type { StoreSettings } from './segment-options.js';
import { type Lookup, SegmentReader, TOMBSTONE } from './segment-reader.js';

export class Table implements LevelFile {
  readonly meta: FileMeta;
  readonly reader: SegmentReader;
  readonly path: string;
  /** Versions that list this file. */
  refs = 0;
  /** Dropped from the current version: deleted once no version lists it. */
  obsolete = false;

  constructor(meta: FileMeta, reader: SegmentReader, path: string) {
    this.meta = meta;
    this.reader = reader;
    this.path = path;
  }

  get smallest(): string {
    return this.meta.smallest;
  }

  get largest(): string {
    return this.meta.largest;
  }
}

export class Version {
  /** Files per level: level 0 newest first, deeper levels sorted by key and not overlapping. */
  readonly levels: readonly (readonly Table[])[];
  /** Iterators reading this version. */
  readers = 0;
  current = true;

  constructor(levels: readonly (readonly Table[])[]) {
    this.levels = levels;
  }

  *tables(): Generator<Table> {
    for (const level of this.levels) yield* level;
  }
}

/** What recovery did at open. */
export interface RecoveryReport {
  /** WAL files replayed, and the writes found in them. */
  readonly walFiles: number;
  readonly replayedChanges: number;
  /** Bytes of torn WAL tail cut off (writes a crash interrupted before they were acknowledged). */
  readonly truncatedBytes: number;
  /** Files not in the manifest (left by an interrupted flush or compaction) that were removed. */
  readonly removedOrphans: number;
}

export class StoreState {
  readonly settings: StoreSettings;
  readonly cache: BlockCache;
  lock: FileLock | undefined;
  version: Version = new Version(Array.from({ length: LEVEL_COUNT }, () => []));
  active: Memtable = new Memtable(0);
  /** Frozen memtables waiting for their flush, oldest first. */
  immutables: Memtable[] = [];
  wal: FileHandle | undefined;
  nextFile = 1;
  logNumber = 0;
  recovery: RecoveryReport = { walFiles: 0, replayedChanges: 0, truncatedBytes: 0, removedOrphans: 0 };
  /** Counters for stats(). */
  readonly counters = {
    userBytes: 0,
    walBytes: 0,
    flushBytes: 0,
    compactionBytes: 0,
    flushes: 0,
    compactions: 0,
    trivialMoves: 0,
    compactionReadBytes: 0,
  };

  constructor(settings: StoreSettings) {
    this.settings = settings;
    this.cache = new BlockCache(settings.blockCacheBytes);
  }

  path(name: string): string {
    return join(this.settings.dir, name);
  }

  /** The newest entry of `key`: value, tombstone, or undefined when no source has it. Synchronous. */
  lookup(key: string): Lookup {
    let found = this.active.lookup(key);
    if (found !== undefined) return found;
    for (let i = this.immutables.length - 1; i >= 0; i--) {
      found = this.immutables[i]!.lookup(key);
      if (found !== undefined) return found;
    }
    const hash = keyHash(key);
    const levels = this.version.levels;
    for (const table of levels[0]!) {
      if (compareKeys(key, table.meta.smallest) < 0 || compareKeys(key, table.meta.largest) > 0) continue;
      found = table.reader.lookup(key, hash);
      if (found !== undefined) return found;
    }
    for (let level = 1; level < levels.length; level++) {
      const table = findTable(levels[level]!, key);
      if (table === undefined) continue;
      found = table.reader.lookup(key, hash);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  get(key: string): EncodedValue | undefined {
    const found = this.lookup(key);
    return found === TOMBSTONE ? undefined : found;
  }

  /** The version for an iterator; `releaseVersion` when done. */
  acquireVersion(): Version {
    this.version.readers++;
    return this.version;
  }

  releaseVersion(version: Version): void {
    version.readers--;
    if (!version.current && version.readers === 0) this.#retire(version);
  }

  /** Makes `levels` the current version (its manifest edit is durable already). */
  installVersion(levels: readonly (readonly Table[])[]): void {
    const next = new Version(levels);
    for (const table of next.tables()) table.refs++;
    const previous = this.version;
    const kept = new Set(next.tables());
    for (const table of previous.tables()) if (!kept.has(table)) table.obsolete = true;
    this.version = next;
    previous.current = false;
    if (previous.readers === 0) this.#retire(previous);
  }

  /** The manifest for `levels` and `logNumber`. */
  manifestFor(levels: readonly (readonly Table[])[], logNumber: number): ManifestData {
    return { nextFile: this.nextFile, logNumber, levels: levels.map((files) => files.map((table) => table.meta)) };
  }

  /**
   * Applies `edit` to the current levels, writes the manifest durably, then installs the
   * version: files leave only after the edit is durable. Edits run one at a time, each on
   * the version the previous one installed, so a flush and a compaction never undo each other.
   */
  commit(
    edit: (levels: readonly (readonly Table[])[]) => readonly (readonly Table[])[],
    newLogNumber?: number,
  ): Promise<void> {
    const run = async () => {
      const levels = edit(this.version.levels);
      const logNumber = Math.max(newLogNumber ?? this.logNumber, this.logNumber);
      await writeManifest(this.settings.fs, this.settings.dir, this.manifestFor(levels, logNumber));
      this.logNumber = logNumber;
      this.installVersion(levels);
    };
    const result = this.#commits.then(run, run);
    this.#commits = result.catch(() => undefined);
    return result;
  }

  #commits: Promise<void> = Promise.resolve();

  openTable(meta: FileMeta): Table {
    const path = this.path(segmentName(meta.number));
    const reader = SegmentReader.open(path, { fs: this.settings.fs, cache: this.cache });
    return new Table(meta, reader, path);
  }

  /** Closes every file (at close; nothing is deleted). */
  closeAll(): void {
    for (const table of this.version.tables()) table.reader.close();
    // A handle a power cut killed holds nothing.
    closeQuietly(this.wal);
  }

  #retire(version: Version): void {
    for (const table of version.tables()) {
      if (--table.refs > 0) continue;
      table.reader.close();
      if (!table.obsolete) continue;
      // On failure: left for the orphan sweep at the next open.
      unlinkQuietly(this.settings.fs, table.path);
    }
  }
}

/** The file of a sorted, non-overlapping level that may hold `key`. */
export function findTable(files: readonly Table[], key: string): Table | undefined {
  let low = 0;
  let high = files.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(files[mid]!.meta.largest, key) < 0) low = mid + 1;
    else high = mid;
  }
  const table = files[low];
  return table !== undefined && compareKeys(key, table.meta.smallest) >= 0 ? table : undefined;
}
