/**
 * verify(): reads every block of every segment the manifest lists (each CRC checked),
 * checks key order and the counts and key ranges the manifest records, and scans every
 * live WAL file. Reports problems instead of throwing, so one damaged file does not hide
 * the others.
 */
import { compareKeys, StowageError } from '@stowage/core';
import { parseFileName, walName } from './manifest.js';
import type { StoreState } from './store-state.js';
import { scanWal } from './wal-scan.js';

export interface VerifyProblem {
  readonly file: string;
  readonly offset: number | undefined;
  readonly reason: string;
}

export interface VerifyReport {
  readonly segments: number;
  readonly entries: number;
  readonly walFiles: number;
  readonly walRecords: number;
  readonly problems: readonly VerifyProblem[];
}

export function verifyStore(state: StoreState): VerifyReport {
  const problems: VerifyProblem[] = [];
  let segments = 0;
  let entries = 0;
  for (const table of state.version.tables()) {
    segments++;
    try {
      let count = 0;
      let previous: string | undefined;
      for (const cursor = table.reader.cursor(); cursor.valid; cursor.next()) {
        if (previous !== undefined && compareKeys(previous, cursor.key) >= 0) {
          problems.push({ file: table.path, offset: undefined, reason: `keys out of order at ${cursor.key}` });
          break;
        }
        if (count === 0 && cursor.key !== table.meta.smallest) {
          problems.push({ file: table.path, offset: undefined, reason: 'smallest key differs from the manifest' });
        }
        previous = cursor.key;
        cursor.value();
        count++;
      }
      if (count !== table.meta.entries) {
        problems.push({
          file: table.path,
          offset: undefined,
          reason: `${count} entries, the manifest says ${table.meta.entries}`,
        });
      }
      if (previous !== undefined && previous !== table.meta.largest) {
        problems.push({ file: table.path, offset: undefined, reason: 'largest key differs from the manifest' });
      }
      entries += count;
    } catch (error) {
      if (!StowageError.is(error)) throw error;
      problems.push({ file: error.file ?? table.path, offset: error.offset, reason: error.message });
    }
  }
  let walFiles = 0;
  let walRecords = 0;
  const { fs } = state.settings;
  for (const name of fs.readdir(state.settings.dir)) {
    const parsed = parseFileName(name);
    if (parsed?.kind !== 'wal' || parsed.number < state.logNumber) continue;
    walFiles++;
    const path = state.path(walName(parsed.number));
    // The active WAL's tail may be a group being written right now: only complete records count.
    const scan = scanWal(Buffer.from(fs.readFile(path)), () => walRecords++);
    if (scan.damage !== undefined && (scan.damageInMiddle || parsed.number !== state.active.walNumber)) {
      problems.push({ file: path, offset: scan.damage.offset, reason: scan.damage.reason });
    }
  }
  return { segments, entries, walFiles, walRecords, problems };
}
