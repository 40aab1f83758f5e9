/**
 * Opening a store: read the manifest (none in an empty folder: a new store), open and
 * check every listed segment (a missing or damaged one is CORRUPTION naming it), replay
 * the WAL files from the manifest's log number on into a memtable (a torn tail is cut;
 * damage followed by intact records is CORRUPTION, since those are acknowledged writes),
 * write that memtable as a level-0 segment, start a new WAL, and record all of it in one
 * manifest edit. Only then are files the manifest does not list removed: old WALs and
 * segments of an interrupted flush or compaction. (Temp files of dead writers are swept
 * before this runs, by the open: they are never promoted, so nothing here needs them.)
 */
import { StowageError } from '@stowage/core';
import { fileError } from '@stowage/fs';
import { corruption, ORIGIN } from './errors.js';
import { flushOldest, removeQuietly, switchMemtable } from './flush.js';
import { LEVEL_COUNT } from './limits.js';
import { type FileMeta, MANIFEST_FILE, parseFileName, readManifest, walName } from './manifest.js';
import { Memtable } from './memtable.js';
import type { StoreState, Table } from './store-state.js';
import { scanWal } from './wal-scan.js';

/** `removedTempFiles`: how many temp files the open's sweep (fs's openLockedStore) removed before this ran. */
export async function recoverStore(state: StoreState, removedTempFiles: number): Promise<void> {
  const { fs, dir } = state.settings;
  const names = fs.readdir(dir);
  const files = names.map((name) => ({ name, parsed: parseFileName(name) }));
  let manifest = readManifest(fs, dir);
  if (manifest === undefined) {
    const segment = files.find((file) => file.parsed?.kind === 'seg');
    if (segment !== undefined) {
      throw new StowageError(
        'CORRUPTION',
        `${state.path(MANIFEST_FILE)} is missing but segment files such as ${segment.name} are there`,
        { origin: ORIGIN, file: state.path(MANIFEST_FILE) },
      );
    }
    manifest = { nextFile: 1, logNumber: 0, levels: [] };
  }
  let highest = manifest.nextFile - 1;
  for (const file of files) if (file.parsed !== undefined) highest = Math.max(highest, file.parsed.number);
  state.nextFile = highest + 1;
  state.logNumber = manifest.logNumber;

  const listed = new Set<number>();
  const levels: Table[][] = Array.from({ length: LEVEL_COUNT }, () => []);
  try {
    manifest.levels.forEach((metas: readonly FileMeta[], level) => {
      for (const meta of metas) {
        listed.add(meta.number);
        const table = state.openTable(meta);
        levels[level]!.push(table);
        if (table.reader.entryCount !== meta.entries) {
          throw corruption(
            table.path,
            0,
            `holds ${table.reader.entryCount} entries, the manifest says ${meta.entries}`,
          );
        }
      }
    });
  } catch (error) {
    for (const files of levels) for (const table of files) table.reader.close();
    throw error;
  }
  state.installVersion(levels);

  // Replay the WALs that hold writes not yet in segments, oldest first.
  const wals = files
    .filter((file) => file.parsed?.kind === 'wal' && file.parsed.number >= manifest.logNumber)
    .map((file) => file.parsed!.number)
    .sort((a, b) => a - b);
  const replayed = new Memtable(0);
  let changes = 0;
  let truncated = 0;
  for (const number of wals) {
    const path = state.path(walName(number));
    let bytes: Buffer;
    try {
      bytes = Buffer.from(fs.readFile(path));
    } catch (error) {
      throw fileError(error, { origin: ORIGIN, file: path, action: 'read' });
    }
    const scan = scanWal(bytes, (operations) => {
      changes++;
      for (const { key, value } of operations) replayed.write(key, value);
    });
    if (scan.damage !== undefined) {
      if (scan.damageInMiddle)
        throw corruption(path, scan.damage.offset, `${scan.damage.reason} (repair() cuts it off)`);
      truncated += bytes.length - scan.intactEnd;
    }
  }

  // New writes go to a new WAL; the replayed writes become a level-0 segment.
  await switchMemtable(state);
  state.immutables = replayed.size > 0 ? [replayed] : [];
  if (replayed.size > 0) await flushOldest(state);
  else await state.commit((current) => current, state.active.walNumber);

  // The manifest edit is durable: what it does not list can go.
  let removed = removedTempFiles;
  for (const file of files) {
    const parsed = file.parsed;
    if (parsed === undefined) continue;
    const orphan = parsed.kind === 'wal' ? parsed.number < state.active.walNumber : !listed.has(parsed.number);
    if (!orphan) continue;
    removeQuietly(state, file.name);
    if (parsed.kind !== 'wal') removed++;
  }
  state.recovery = {
    walFiles: wals.length,
    replayedChanges: changes,
    truncatedBytes: truncated,
    removedOrphans: removed,
  };
}
