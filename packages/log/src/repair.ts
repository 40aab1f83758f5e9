/**
 * `LogBackend.repair()`: the way out of CORRUPTION. On a closed store (it takes the
 * lock), every data file is read record by record; at damage it resumes at the next
 * intact record, so every intact record before and after the damage is kept. A
 * transaction is kept whole or not at all: one cut by the damage loses its other records
 * too. Damaged files are rewritten through a temp file and rename, their hint files
 * removed (offsets changed; open scans instead), and the report says what was lost.
 */
import { basename, join } from 'node:path';
import { StowageError } from '@stowage/core';
import { acquireLock, writeFileAtomic } from '@stowage/fs';
import { dataFileName, hintFilePath, LOCK_FILE, MERGE_MANIFEST, parseFileName, readFileBuffer } from './data-files.js';
import { ORIGIN } from './errors.js';
import { FILE_LIST, fileListProblems, type ListedFile, readFileList } from './file-list.js';
import { findResumePoint, scanGroups } from './file-scan.js';
import { checkMergeManifest, parseMergeManifest } from './merge-manifest.js';
import { decodeFileHeader, encodeFileHeader, FILE_HEADER_SIZE, type FileKind } from './record-format.js';
import { presentKinds } from './recovery.js';
import type { StoreSettings } from './store-state.js';

export interface LostRange {
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
}

export interface RepairedFile {
  readonly file: string;
  /** Byte ranges of the original file that were dropped. */
  readonly lost: readonly LostRange[];
  readonly recordsKept: number;
}

export interface RepairReport {
  /** True when nothing had to be dropped. */
  readonly ok: boolean;
  readonly recordsKept: number;
  readonly bytesLost: number;
  /** Files that were damaged and rewritten. */
  readonly repaired: readonly RepairedFile[];
  /**
   * Files the store's file list named that are gone or shortened (or the list itself, when
   * it was unreadable). Their records are lost; the list is dropped so the store opens
   * with what is left, and open writes a new one.
   */
  readonly missing: readonly { readonly file: string; readonly reason: string }[];
}

export async function repairStore(settings: StoreSettings): Promise<RepairReport> {
  const { fs, dir } = settings;
  const lock = await acquireLock(fs, join(dir, LOCK_FILE), { origin: ORIGIN });
  try {
    const missing = [...checkList(settings), ...dropBadMergeManifest(settings)];
    const repaired: RepairedFile[] = [];
    let recordsKept = 0;
    for (const name of fs.readdir(dir)) {
      const parsed = parseFileName(name);
      if (parsed?.type !== 'data') continue;
      const path = join(dir, name);
      const result = repairBytes(readFileBuffer(fs, path));
      recordsKept += result.recordsKept;
      if (result.lost.length === 0) continue;
      await writeFileAtomic(fs, path, result.bytes);
      const hint = hintFilePath(dir, parsed.id);
      if (fs.stat(hint) !== undefined) fs.unlink(hint);
      repaired.push({ file: basename(path), lost: result.lost, recordsKept: result.recordsKept });
    }
    // Repair may have rewritten files, and the list may name what is gone: open writes a fresh one.
    const changed = repaired.length > 0 || missing.length > 0;
    if (changed && fs.stat(join(dir, FILE_LIST)) !== undefined) fs.unlink(join(dir, FILE_LIST));
    await fs.syncDirectory(dir);
    const bytesLost = repaired.reduce(
      (sum, file) => sum + file.lost.reduce((inner, range) => inner + range.length, 0),
      0,
    );
    return { ok: repaired.length === 0 && missing.length === 0, recordsKept, bytesLost, repaired, missing };
  } finally {
    await lock.release();
  }
}

/** What the file list says is missing or shortened (or that the list itself is unreadable). */
function checkList(settings: StoreSettings): { file: string; reason: string }[] {
  const { fs, dir } = settings;
  let listed: ListedFile[] | undefined;
  try {
    listed = readFileList(fs, dir);
  } catch (error) {
    if (!StowageError.is(error, 'CORRUPTION')) throw error;
    return [{ file: FILE_LIST, reason: error.message }];
  }
  if (listed === undefined) return [];
  const present = new Map<number, number>();
  for (const name of fs.readdir(dir)) {
    const parsed = parseFileName(name);
    if (parsed?.type === 'data') present.set(parsed.id, fs.stat(join(dir, name))?.size ?? 0);
  }
  return fileListProblems(listed, present, dataFileName);
}

/**
 * A MERGE manifest that is malformed or does not match the files present is removed
 * (open would refuse it); the files it named stay, as duplicates at worst. A valid one
 * is left for open to finish.
 */
function dropBadMergeManifest(settings: StoreSettings): { file: string; reason: string }[] {
  const { fs, dir } = settings;
  const path = join(dir, MERGE_MANIFEST);
  if (fs.stat(path) === undefined) return [];
  try {
    checkMergeManifest(parseMergeManifest(readFileBuffer(fs, path).toString('utf8')), presentKinds(fs, dir));
    return [];
  } catch (error) {
    if (!StowageError.is(error, 'CORRUPTION')) throw error;
    fs.unlink(path);
    return [{ file: MERGE_MANIFEST, reason: `${error.message}; removed it, the files it named were kept` }];
  }
}

/** The intact content of one data file and what had to go. */
export function repairBytes(bytes: Buffer): { bytes: Buffer; lost: LostRange[]; recordsKept: number } {
  const lost: LostRange[] = [];
  const header = decodeFileHeader(bytes);
  // Stryker disable next-line StringLiteral: kindCodes[''] is undefined, which writeUInt8 writes as 0, the log kind's code
  let kind: FileKind = 'log';
  if (typeof header === 'string') kind = header;
  else lost.push({ offset: 0, length: Math.min(FILE_HEADER_SIZE, bytes.length), reason: header.invalid });
  const kept: Buffer[] = [encodeFileHeader(kind)];
  let recordsKept = 0;
  let at = FILE_HEADER_SIZE;
  while (at < bytes.length) {
    const result = scanGroups(bytes, at, (group) => {
      const last = group.at(-1)!;
      kept.push(bytes.subarray(group[0]!.offset, last.offset + last.size));
      recordsKept += group.length;
    });
    const damage = result.damage;
    if (damage === undefined) {
      // The file ends inside a transaction: the transaction goes, to the end of the file.
      const open = result.openGroupAt;
      if (open !== undefined)
        lost.push({ offset: open, length: bytes.length - open, reason: 'unfinished transaction' });
      break;
    }
    // Damage inside a transaction takes the whole transaction with it.
    const from = result.openGroupAt ?? damage.offset;
    const resume = findResumePoint(bytes, damage.offset + 1);
    const to = resume < 0 ? bytes.length : resume;
    lost.push({ offset: from, length: to - from, reason: damage.reason });
    if (resume < 0) break;
    at = resume;
  }
  return { bytes: Buffer.concat(kept), lost, recordsKept };
}
