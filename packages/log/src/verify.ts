/**
 * `verify()`: reads every record of every data file and every hint file and reports
 * what is wrong, without changing anything. A hint entry must name an intact record of
 * its data file with the same key, sequence and flags.
 */
import { basename } from 'node:path';
import { readWholeFile } from '@stowage/fs';
import { dataFileName, hintFilePath, readFileBuffer } from './data-files.js';
import { FILE_LIST, fileListProblems, type ListedFile, readFileList } from './file-list.js';
import { checkRecordAt, findResumePoint, recordKey, scanGroups } from './file-scan.js';
import { readHintFile } from './hint-file.js';
import { decodeFileHeader, FILE_HEADER_SIZE, TXN_FLAGS } from './record-format.js';
import type { StoreState } from './store-state.js';

export interface VerifyProblem {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
}

export interface VerifyReport {
  /** True when nothing is wrong. */
  readonly ok: boolean;
  readonly dataFiles: number;
  readonly hintFiles: number;
  readonly records: number;
  readonly problems: readonly VerifyProblem[];
}

export function verifyStore(state: StoreState): VerifyReport {
  const problems: VerifyProblem[] = [];
  let records = 0;
  let hintFiles = 0;
  const files = [...state.files.values()].sort((a, b) => a.id - b.id);
  for (const file of files) {
    const name = basename(file.path);
    const bytes = readWholeFile(file.handle);
    const header = decodeFileHeader(bytes);
    if (typeof header !== 'string') {
      problems.push({ file: name, offset: 0, reason: header.invalid });
      continue;
    }
    // Keep scanning past damage so one report lists every damaged place.
    let at = FILE_HEADER_SIZE;
    while (at < bytes.length) {
      const result = scanGroups(bytes, at, (group) => {
        records += group.length;
      });
      const damage =
        result.damage ??
        (result.openGroupAt === undefined
          ? undefined
          : { offset: result.openGroupAt, reason: 'unfinished transaction' });
      if (damage === undefined) break;
      problems.push({ file: name, offset: damage.offset, reason: damage.reason });
      at = findResumePoint(bytes, damage.offset + 1);
      if (at < 0) break;
    }
    if (!file.hasHint) continue;
    hintFiles++;
    const hintPath = hintFilePath(state.settings.dir, file.id);
    const hintName = basename(hintPath);
    const problem = readHintFile(readFileBuffer(state.settings.fs, hintPath), file.id, (entry, key) => {
      const record = checkRecordAt(bytes, entry.offset);
      const matches =
        // Stryker disable next-line StringLiteral: typeof is never "", and a reason string has no sequence, so the next test fails for it anyway
        typeof record !== 'string' &&
        record.sequence === entry.sequence &&
        (record.flags & ~TXN_FLAGS) === (entry.flags & ~TXN_FLAGS) &&
        record.valueLength === entry.valueLength &&
        recordKey(bytes, { ...record, offset: entry.offset }) === key;
      if (!matches) {
        problems.push({
          file: hintName,
          offset: entry.offset,
          reason: `hint entry for "${key}" does not match the data file`,
        });
      }
    });
    if (problem !== undefined) problems.push({ file: hintName, offset: 0, reason: problem });
  }
  problems.push(...listProblems(state));
  return { ok: problems.length === 0, dataFiles: files.length, hintFiles, records, problems };
}

/** Files the file list names that are gone or whose size changed since (open refuses these; verify finds them later). */
function listProblems(state: StoreState): VerifyProblem[] {
  let listed: ListedFile[] | undefined;
  try {
    listed = readFileList(state.settings.fs, state.settings.dir);
  } catch (error) {
    return [{ file: FILE_LIST, offset: 0, reason: error instanceof Error ? error.message : String(error) }];
  }
  if (listed === undefined) return [];
  const present = new Map<number, number>();
  for (const file of state.files.values()) present.set(file.id, file.handle.size());
  // The list may still give a size for a file that was active when it was written.
  const sized = listed.filter((file) => file.id !== state.active.id && !state.writing.has(state.files.get(file.id)!));
  return fileListProblems(sized, present, dataFileName).map((problem) => ({ ...problem, offset: 0 }));
}
