/**
 * Finding older versions. The key directory holds only the newest location of each key,
 * so older versions are found on disk: hint files for merged files, a scan of the
 * records for the rest. Only what is in the files is reported, so after a merge the
 * versions it dropped are gone here too. Versions and getVersion cost a read of the
 * store's files; they are meant for history and audits, not for hot paths.
 */
import type { VersionInfo } from '@stowage/core';
import { readWholeFile } from '@stowage/fs';
import { hintFilePath, readFileBuffer } from './data-files.js';
import { corruptionError } from './errors.js';
import { scanGroups } from './file-scan.js';
import { readHintFile } from './hint-file.js';
import { FILE_HEADER_SIZE, FLAG_DELETED, RECORD_HEADER_SIZE } from './record-format.js';
import type { StoreState } from './store-state.js';

/** One version of a key and where its value lies. */
export interface StoredVersion extends VersionInfo {
  readonly file: number;
  readonly valueOffset: number;
  readonly valueLength: number;
  readonly flags: number;
}

/** Every version of `key` in the files, oldest first (by sequence). */
export function findVersions(state: StoreState, key: string): StoredVersion[] {
  const { fs, dir } = state.settings;
  // Stryker disable next-line StringLiteral: an empty encoding name means utf8
  const wanted = Buffer.from(key, 'utf8');
  const found = new Map<number, StoredVersion>();
  const add = (
    file: number,
    offset: number,
    sequence: number,
    timestamp: number,
    flags: number,
    valueLength: number,
  ) => {
    // A merge interrupted before removing its inputs leaves the same record twice; a
    // group still waiting for its fsync is not visible yet.
    if (found.has(sequence) || sequence > state.visibleSequence) return;
    found.set(sequence, {
      sequence,
      timestamp,
      deleted: (flags & FLAG_DELETED) !== 0,
      file,
      valueOffset: offset + RECORD_HEADER_SIZE + wanted.length,
      valueLength,
      flags,
    });
  };
  for (const file of [...state.files.values()]) {
    if (file.hasHint) {
      const problem = readHintFile(readFileBuffer(fs, hintFilePath(dir, file.id)), file.id, (entry, entryKey) => {
        if (entryKey === key)
          add(file.id, entry.offset, entry.sequence, entry.timestamp, entry.flags, entry.valueLength);
      });
      if (problem === undefined) continue;
    }
    const bytes = readWholeFile(file.handle);
    const result = scanGroups(bytes, FILE_HEADER_SIZE, (group) => {
      for (const record of group) {
        if (record.keyLength !== wanted.length) continue;
        const keyAt = record.offset + RECORD_HEADER_SIZE;
        if (bytes.compare(wanted, 0, wanted.length, keyAt, keyAt + wanted.length) !== 0) continue;
        add(file.id, record.offset, record.sequence, record.timestamp, record.flags, record.valueLength);
      }
    });
    // Versions past damage are unknown: an incomplete history is an error, not an answer.
    const damage =
      result.damage ??
      (result.openGroupAt === undefined ? undefined : { offset: result.openGroupAt, reason: 'unfinished transaction' });
    if (damage !== undefined) throw corruptionError(file.path, damage.offset, damage.reason);
  }
  return [...found.values()].sort((a, b) => a.sequence - b.sequence);
}
