/**
 * Opening a store: finish or clean up what a crash interrupted, then fill the key
 * directory from hint files where present and by scanning the rest. Only the tail of
 * the newest log file may be cut off (a torn append or an unfinished transaction), and
 * only when no intact record follows it; damage anywhere else fails the open with
 * CORRUPTION naming the file and offset, and `LogBackend.repair` is the way out.
 */
import { join } from 'node:path';
import { createFileDurable, errorCode, type FileSystem, readWholeFile } from '@stowage/fs';
import {
  type DataFile,
  dataFileName,
  dataFilePath,
  hintFilePath,
  MERGE_MANIFEST,
  parseFileName,
  readFileBuffer,
} from './data-files.js';
import { corruptionError } from './errors.js';
import { fileListProblems, type ListedFile, readFileList, writeFileList } from './file-list.js';
import { findNextRecord, recordKey, scanGroups } from './file-scan.js';
import { readHintFile } from './hint-file.js';
import { checkMergeManifest, parseMergeManifest } from './merge-manifest.js';
import {
  decodeFileHeader,
  encodeFileHeader,
  FILE_HEADER_SIZE,
  type FileKind,
  FLAG_DELETED,
  FLAG_STRING,
  RECORD_HEADER_SIZE,
} from './record-format.js';
import type { StoreState } from './store-state.js';

/**
 * `removedTempFiles`: what the open's sweep (fs's openLockedStore) removed before this ran,
 * a merge or repair that died before its rename (the originals are intact).
 */
export async function recoverStore(state: StoreState, removedTempFiles: readonly string[]): Promise<void> {
  const { fs, dir } = state.settings;
  for (const name of removedTempFiles) {
    state.recovery.push({ action: 'removed-temp-file', file: name, detail: 'left by an interrupted write' });
  }
  const listed = readFileList(fs, dir);
  const merged = await finishInterruptedMerge(state);
  const names = fs.readdir(dir);
  const dataIds: number[] = [];
  const hintIds = new Set<number>();
  for (const name of names) {
    const parsed = parseFileName(name);
    if (parsed?.type === 'data') dataIds.push(parsed.id);
    else if (parsed?.type === 'hint') hintIds.add(parsed.id);
  }
  dataIds.sort((a, b) => a - b);
  if (listed !== undefined) checkFileList(state, listed, dataIds, merged);
  for (const id of hintIds) {
    if (dataIds.includes(id)) continue;
    // A merge renames the hint before its data file; a crash between leaves this.
    fs.unlink(hintFilePath(dir, id));
    state.recovery.push({
      action: 'removed-orphan-hint',
      file: hintFilePath(dir, id),
      detail: 'its data file was never renamed in',
    });
  }
  state.nextFileId = (dataIds.at(-1) ?? 0) + 1;

  const kinds = new Map<number, FileKind>();
  for (const id of dataIds) kinds.set(id, readKind(state, id, id === dataIds.at(-1)));
  const lastLog = dataIds.filter((id) => kinds.get(id) === 'log').at(-1);

  for (const id of dataIds) {
    const kind = kinds.get(id)!;
    const path = dataFilePath(dir, id);
    const handle = fs.open(path, id === lastLog ? 'write' : 'read');
    const hasHint = kind === 'merged' && hintIds.has(id);
    const file: DataFile = { id, path, kind, handle, hasHint };
    state.files.set(id, file);
    if (hasHint && loadHint(state, file)) continue;
    await loadByScan(state, file, id === lastLog);
  }
  for (const [key, slot] of state.keydir.entries()) {
    if ((state.keydir.flags[slot]! & FLAG_DELETED) !== 0) state.keydir.delete(key);
  }

  state.visibleSequence = state.lastSequence;
  if (lastLog === undefined) {
    await startLogFile(state);
  } else {
    state.active = state.files.get(lastLog)!;
    await writeFileList(state);
  }
}

/** Refuses to open a store whose file list names a file that is gone or an immutable file whose size changed. */
function checkFileList(
  state: StoreState,
  listed: readonly ListedFile[],
  dataIds: readonly number[],
  removedByMerge: ReadonlySet<number>,
): void {
  const { fs, dir } = state.settings;
  const present = new Map<number, number>();
  // Stryker disable next-line OptionalChaining: readdir just listed the file, and the store's lock keeps it there
  for (const id of dataIds) present.set(id, fs.stat(dataFilePath(dir, id))?.size ?? 0);
  const expected = listed.filter((file) => !removedByMerge.has(file.id));
  const problems = fileListProblems(expected, present, dataFileName);
  if (problems.length === 0) return;
  // Stryker disable next-line StringLiteral: error message wording (the separator between the problems listed)
  const all = problems.map((problem) => `${problem.file}: ${problem.reason}`).join('; ');
  throw corruptionError(
    problems[0]!.file,
    0,
    `${all}. Acknowledged data may be gone; LogBackend.repair() opens what is left and reports it`,
  );
}

/** Starts a new, empty log file and makes it the active one. */
export async function startLogFile(state: StoreState): Promise<DataFile> {
  const { fs, dir } = state.settings;
  const id = state.nextFileId++;
  const path = dataFilePath(dir, id);
  // Header, file and name durable before any record goes in; on failure the file is removed.
  // Stryker disable next-line StringLiteral: kindCodes[''] is undefined, which writeUInt8 writes as 0, the log kind's code
  const handle = await createFileDurable(fs, path, encodeFileHeader('log'));
  const file: DataFile = { id, path, kind: 'log', handle, hasHint: false };
  state.files.set(id, file);
  state.active = file;
  await writeFileList(state);
  return file;
}

/** Completes the removals a merge had recorded in its manifest before a crash stopped it, once the manifest checks out. */
async function finishInterruptedMerge(state: StoreState): Promise<ReadonlySet<number>> {
  const { fs, dir } = state.settings;
  const manifest = join(dir, MERGE_MANIFEST);
  if (fs.stat(manifest) === undefined) return new Set();
  const parsed = parseMergeManifest(readFileBuffer(fs, manifest).toString('utf8'));
  checkMergeManifest(parsed, presentKinds(fs, dir));
  for (const id of parsed.remove) {
    for (const path of [hintFilePath(dir, id), dataFilePath(dir, id)]) {
      try {
        fs.unlink(path);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
  }
  await fs.syncDirectory(dir);
  fs.unlink(manifest);
  await fs.syncDirectory(dir);
  state.recovery.push({
    action: 'finished-merge',
    file: MERGE_MANIFEST,
    detail: `removed the ${parsed.remove.length} files an interrupted merge had replaced`,
  });
  return new Set(parsed.remove);
}

/** The kind of every data file present, from its header (files whose header is unreadable are left out). */
export function presentKinds(fs: FileSystem, dir: string): Map<number, FileKind> {
  const kinds = new Map<number, FileKind>();
  for (const name of fs.readdir(dir)) {
    const parsed = parseFileName(name);
    if (parsed?.type !== 'data') continue;
    // Stryker disable next-line StringLiteral: the handle is only read, and node opens an unknown mode read-only (openSync's default flag)
    const handle = fs.open(dataFilePath(dir, parsed.id), 'read');
    try {
      const header = Buffer.alloc(FILE_HEADER_SIZE);
      const kind = decodeFileHeader(header.subarray(0, handle.read(header, 0, FILE_HEADER_SIZE, 0)));
      if (typeof kind === 'string') kinds.set(parsed.id, kind);
    } finally {
      handle.close();
    }
  }
  return kinds;
}

/** The kind of a data file from its header. A torn header of the newest file is a log file whose creation was cut short. */
function readKind(state: StoreState, id: number, newest: boolean): FileKind {
  const { fs, dir } = state.settings;
  const path = dataFilePath(dir, id);
  // Stryker disable next-line StringLiteral: the handle is only read, and node opens an unknown mode read-only (openSync's default flag)
  const handle = fs.open(path, 'read');
  let header: Buffer;
  try {
    header = Buffer.alloc(FILE_HEADER_SIZE);
    header = header.subarray(0, handle.read(header, 0, FILE_HEADER_SIZE, 0));
  } finally {
    handle.close();
  }
  const kind = decodeFileHeader(header);
  if (typeof kind === 'string') return kind;
  // Stryker disable next-line OptionalChaining: the file was just opened and read, under the store's lock
  const size = fs.stat(path)?.size ?? 0;
  if (!newest || size > FILE_HEADER_SIZE) throw corruptionError(path, 0, kind.invalid);
  const writable = fs.open(path, 'write');
  try {
    writable.truncate(0);
    // Stryker disable next-line StringLiteral: kindCodes[''] is undefined, which writeUInt8 writes as 0, the log kind's code
    writable.write(encodeFileHeader('log'), 0);
  } finally {
    writable.close();
  }
  state.recovery.push({ action: 'rewrote-header', file: path, offset: 0, detail: kind.invalid });
  return 'log';
}

/** Fills the keydir from the hint file of `file`; false when the hint is unusable (then the data is scanned). */
function loadHint(state: StoreState, file: DataFile): boolean {
  const path = hintFilePath(state.settings.dir, file.id);
  const problem = readHintFile(readFileBuffer(state.settings.fs, path), file.id, (entry, key) => {
    note(
      state,
      key,
      file.id,
      entry.offset + RECORD_HEADER_SIZE + entry.keyLength,
      entry.valueLength,
      entry.sequence,
      entry.flags,
    );
  });
  if (problem === undefined) return true;
  state.recovery.push({ action: 'ignored-hint', file: path, detail: `${problem}; scanned the data file instead` });
  return false;
}

async function loadByScan(state: StoreState, file: DataFile, isLastLog: boolean): Promise<void> {
  const bytes = readWholeFile(file.handle);
  const result = scanGroups(bytes, FILE_HEADER_SIZE, (group) => {
    for (const record of group) {
      const key = recordKey(bytes, record);
      note(
        state,
        key,
        file.id,
        record.offset + RECORD_HEADER_SIZE + record.keyLength,
        record.valueLength,
        record.sequence,
        record.flags,
      );
    }
  });
  if (result.damage === undefined && result.openGroupAt === undefined) return;
  const cut = result.openGroupAt ?? result.damage!.offset;
  const damageAt = result.damage?.offset ?? cut;
  // A flipped bit with intact records after it is damage, not a torn tail: cutting there
  // would throw away commits that were acknowledged.
  // Stryker disable next-line ArithmeticOperator: from offset - 1 (the last byte of the intact part, where no record starts) the search meets the damaged record too
  const intactAfter = result.damage === undefined ? -1 : findNextRecord(bytes, result.damage.offset + 1);
  if (!isLastLog || intactAfter !== -1) {
    throw corruptionError(file.path, damageAt, result.damage?.reason ?? 'unfinished transaction');
  }
  file.handle.truncate(cut);
  await file.handle.sync();
  state.recovery.push({
    action: 'truncated-tail',
    file: file.path,
    offset: cut,
    bytes: bytes.length - cut,
    detail: result.damage?.reason ?? 'unfinished transaction at the end of the file',
  });
}

/** Records a version found on disk in the keydir when it is the newest seen for its key. */
function note(
  state: StoreState,
  key: string,
  fileId: number,
  valueOffset: number,
  valueLength: number,
  sequence: number,
  flags: number,
): void {
  const keydir = state.keydir;
  const slot = keydir.slot(key);
  const kept = flags & (FLAG_DELETED | FLAG_STRING);
  if (slot === undefined) keydir.insert(key, fileId, valueOffset, valueLength, sequence, kept);
  else if (keydir.sequence[slot]! < sequence) keydir.update(slot, fileId, valueOffset, valueLength, sequence, kept);
  else return;
  state.lastSequence = Math.max(state.lastSequence, sequence);
}
