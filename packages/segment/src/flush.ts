/**
 * Flushing: the oldest frozen memtable becomes a level-0 segment; the manifest edit that
 * adds it also moves the WAL start past the memtable's WAL, which is deleted only once
 * that edit is durable. Switching: a full memtable is frozen and a new one started on a
 * new WAL file, durable before any write goes to it.
 */
import { closeQuietly, createFileDurable, type FileHandle, fileError, unlinkQuietly } from '@stowage/fs';
import { ORIGIN } from './errors.js';
import { ALL_KEYS } from './key-bounds.js';
import { walName } from './manifest.js';
import { Memtable } from './memtable.js';
import { encodeFileHeader } from './segment-format.js';
import type { StoreState, Table } from './store-state.js';
import { writeTables } from './table-writer.js';
import { WAL_MAGIC, WAL_VERSION } from './wal-format.js';

/** Writes the oldest frozen memtable to a level-0 file and drops its WAL. */
export async function flushOldest(state: StoreState): Promise<void> {
  const memtable = state.immutables[0];
  if (memtable === undefined) return;
  const tables: Table[] = [];
  if (memtable.size > 0) {
    const cursor = memtable.cursor(ALL_KEYS, false);
    const metas = await writeTables(state, cursor, { split: false, dropTombstones: false });
    for (const meta of metas) {
      tables.push(state.openTable(meta));
      state.counters.flushBytes += meta.size;
    }
  }
  const logNumber = state.immutables[1]?.walNumber ?? state.active.walNumber;
  try {
    await state.commit(
      (levels) => levels.map((files, level) => (level === 0 ? [...tables, ...files] : files)),
      logNumber,
    );
  } catch (error) {
    for (const table of tables) table.reader.close();
    throw error;
  }
  state.counters.flushes++;
  state.immutables.shift();
  removeQuietly(state, walName(memtable.walNumber));
}

/** Freezes the active memtable and starts a new one on a new, durable WAL file. */
export async function switchMemtable(state: StoreState): Promise<void> {
  const { fs } = state.settings;
  const number = state.nextFile++;
  const path = state.path(walName(number));
  let handle: FileHandle;
  try {
    // The old WAL's tail is made durable first, so a power cut never keeps newer writes
    // (in the new WAL) while losing older ones.
    await state.wal?.sync();
    // On failure createFileDurable closes and removes the new file itself.
    handle = await createFileDurable(fs, path, encodeFileHeader(WAL_MAGIC, WAL_VERSION));
  } catch (error) {
    throw fileError(error, { origin: ORIGIN, file: path, action: 'start a new WAL file' });
  }
  const previous = state.wal;
  state.wal = handle;
  state.immutables.push(state.active);
  state.active = new Memtable(number);
  // Already synced; a dead handle holds nothing.
  closeQuietly(previous);
}

export function removeQuietly(state: StoreState, name: string): void {
  // Gone already, or left for the orphan sweep at the next open.
  unlinkQuietly(state.settings.fs, state.path(name));
}
