/**
 * Merge: rewrites what is still needed from the immutable data files (every file but the
 * active one) into new merged files, each with a hint file, then points the key
 * directory at the copies and removes the old files. It yields to the event loop as it
 * goes, so reads and writes continue; a key written meanwhile keeps its newer location.
 *
 * Crash safety: new files are written under temp names, fsynced, renamed (hint first,
 * then data) and the directory fsynced; until then the old files are untouched. The list
 * of old files is then written to a MERGE manifest before they are removed, so a crash
 * during the removals is finished at the next open: a deletion is never lost by
 * removing the file with its tombstone while an older value's file survives.
 */

import { join } from 'node:path';
import {
  closeQuietly,
  crc32c,
  type FileHandle,
  holdTempFile,
  readWholeFile,
  tempPathFor,
  unlinkQuietly,
  writeFileAtomic,
} from '@stowage/fs';
import { type DataFile, dataFilePath, hintFilePath, MERGE_MANIFEST } from './data-files.js';
import { corruptionError } from './errors.js';
import { writeFileList } from './file-list.js';
import { recordKey, scanGroups } from './file-scan.js';
import { HintWriter } from './hint-file.js';
import { encodeMergeManifest } from './merge-manifest.js';
import {
  encodeFileHeader,
  FILE_HEADER_SIZE,
  FLAG_DELETED,
  FLAG_STRING,
  RECORD_HEADER_SIZE,
  recordIntact,
  TXN_FLAGS,
} from './record-format.js';
import type { MergeReport, StoreState } from './store-state.js';

export interface MergeOptions {
  /** Versions of each key to keep (default: the store's `keepVersions`). */
  readonly keepVersions?: number;
}

/** A record chosen to survive the merge. */
interface Survivor {
  readonly key: string;
  readonly file: DataFile;
  readonly offset: number;
  readonly size: number;
  readonly keyLength: number;
  readonly sequence: number;
}

/** A survivor's new home, for the key directory swap. */
interface Move {
  readonly key: string;
  readonly sequence: number;
  readonly fromFile: number;
  readonly fromValueOffset: number;
  readonly toFile: number;
  readonly toValueOffset: number;
}

/** A merged file written under its temp name. */
interface Output {
  readonly id: number;
  readonly temp: string;
  /** Ends the hold that keeps a temp sweep (another store's open on this folder) off the file. */
  readonly release: () => void;
  readonly hint: HintWriter;
  size: number;
}

/** What writing the survivors produced. */
interface Written {
  readonly outputs: readonly Output[];
  readonly moves: readonly Move[];
  readonly recordsKept: number;
}

const YIELD_EVERY = 512;
// Stryker disable next-line ArithmeticOperator: a smaller chunk only appends more often; everything pending is appended before the fsync
const WRITE_CHUNK = 1024 * 1024;

/**
 * The merge, step by step: choose the survivors, write them into new files, install the
 * files, point the key directory at them, remove the inputs.
 */
export async function mergeStore(state: StoreState, options: MergeOptions): Promise<MergeReport> {
  const started = Date.now();
  const keepVersions = options.keepVersions ?? state.settings.keepVersions;
  const inputs = mergeInputs(state);
  const bytesBefore = inputs.reduce((sum, file) => sum + file.handle.size(), 0);
  if (inputs.length === 0) return finish(state, started, 0, 0, bytesBefore, 0, 0);

  const survivors = await chooseSurvivors(state, inputs, keepVersions);
  const written = await writeSurvivors(state, survivors, keepVersions);
  try {
    await installOutputs(state, written.outputs);
  } finally {
    // Renamed into place, or left for the next open's sweep when the install failed.
    for (const output of written.outputs) output.release();
  }
  repointKeydir(state, written.moves);
  await removeInputs(state, inputs, written.outputs);

  const bytesAfter = written.outputs.reduce((sum, output) => sum + output.size, 0);
  return finish(state, started, inputs.length, written.outputs.length, bytesBefore, bytesAfter, written.recordsKept);
}

/**
 * The files a merge may take: every immutable one whose records are all published. The
 * active file and the files the group commit in flight wrote to are left out: the
 * newest writes there are not in the key directory yet, so they would look dead.
 */
function mergeInputs(state: StoreState): DataFile[] {
  return (
    [...state.files.values()]
      .filter((file) => file !== state.active && !state.writing.has(file))
      // Stryker disable next-line ArrowFunction,ArithmeticOperator: read in another order, the same records are kept (chosen per key by sequence); only their places in the merged files differ
      .sort((a, b) => a.id - b.id)
  );
}

/** Writes the survivors into new merged files (temp names, fsynced), each with its hint entries. */
async function writeSurvivors(
  state: StoreState,
  survivors: readonly Survivor[],
  keepVersions: number,
): Promise<Written> {
  const { fs, dir, maxFileSize } = state.settings;
  const outputs: Output[] = [];
  // Stryker disable next-line ArrayDeclaration: a move that is a string names no key in the key directory, so it moves nothing
  const moves: Move[] = [];
  let current: (Output & { readonly handle: FileHandle }) | undefined;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flushPending = () => {
    if (current !== undefined && pendingBytes > 0) current.handle.append(Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  const closeCurrent = async () => {
    if (current === undefined) return;
    flushPending();
    await current.handle.sync();
    current.handle.close();
    outputs.push(current);
    current = undefined;
  };
  let count = 0;
  try {
    for (const survivor of survivors) {
      if (keepVersions === 1 && !stillLive(state, survivor)) continue; // overwritten meanwhile
      const record = readSurvivor(survivor);
      // A current file always holds a record already, so closing it never leaves an empty one.
      if (current !== undefined && current.size + survivor.size > maxFileSize) await closeCurrent();
      if (current === undefined) {
        const id = state.nextFileId++;
        const temp = tempPathFor(dataFilePath(dir, id));
        const release = holdTempFile(fs, temp);
        let handle: FileHandle;
        try {
          handle = fs.open(temp, 'createNew');
        } catch (error) {
          release();
          throw error;
        }
        current = { id, temp, release, hint: new HintWriter(id), size: FILE_HEADER_SIZE, handle };
        handle.append(encodeFileHeader('merged'));
      }
      const offset = current.size;
      pending.push(record);
      pendingBytes += survivor.size;
      current.size += survivor.size;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: flushing more or less often appends the same bytes in the same order; closeCurrent appends the rest before the fsync
      if (pendingBytes >= WRITE_CHUNK) flushPending();
      const flags = record[4]!;
      current.hint.add(
        {
          flags,
          sequence: survivor.sequence,
          timestamp: record.readUInt32LE(16) + record.readUInt32LE(20) * 2 ** 32,
          offset,
          keyLength: survivor.keyLength,
          valueLength: survivor.size - RECORD_HEADER_SIZE - survivor.keyLength,
        },
        record.subarray(RECORD_HEADER_SIZE, RECORD_HEADER_SIZE + survivor.keyLength),
      );
      if ((flags & FLAG_DELETED) === 0) {
        const valueAt = RECORD_HEADER_SIZE + survivor.keyLength;
        moves.push({
          key: survivor.key,
          sequence: survivor.sequence,
          fromFile: survivor.file.id,
          fromValueOffset: survivor.offset + valueAt,
          toFile: current.id,
          toValueOffset: offset + valueAt,
        });
      }
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: yielding more or less often only changes what interleaves with the merge, not what it writes
      if (++count % YIELD_EVERY === 0) await yieldToEventLoop();
    }
    await closeCurrent();
  } catch (error) {
    if (current !== undefined) {
      closeQuietly((current as { handle: FileHandle }).handle);
      outputs.push(current);
    }
    for (const output of outputs) {
      unlinkQuietly(fs, output.temp);
      output.release();
    }
    throw error;
  }
  return { outputs, moves, recordsKept: count };
}

/** A survivor's record, checked against its checksum; a record of a transaction loses its framing. */
function readSurvivor(survivor: Survivor): Buffer {
  const record = Buffer.allocUnsafe(survivor.size);
  if (
    survivor.file.handle.read(record, 0, survivor.size, survivor.offset) !== survivor.size ||
    !recordIntact(record, 0, survivor.size)
  ) {
    throw corruptionError(survivor.file.path, survivor.offset, 'record changed or damaged during merge');
  }
  if ((record[4]! & TXN_FLAGS) !== 0) {
    // Alone in a merged file, a record of a committed transaction stands on its own.
    record[4] = record[4]! & ~TXN_FLAGS;
    record.writeUInt32LE(crc32c(record.subarray(4)), 0);
  }
  return record;
}

/** Renames the outputs into place (hint first, so a data file that has a name always has its hint) and opens them. */
async function installOutputs(state: StoreState, outputs: readonly Output[]): Promise<void> {
  const { fs, dir } = state.settings;
  for (const output of outputs) {
    await writeFileAtomic(fs, hintFilePath(dir, output.id), output.hint.finish());
    fs.rename(output.temp, dataFilePath(dir, output.id));
  }
  await fs.syncDirectory(dir);
  for (const output of outputs) {
    const path = dataFilePath(dir, output.id);
    state.files.set(output.id, { id: output.id, path, kind: 'merged', handle: fs.open(path, 'read'), hasHint: true });
  }
  await writeFileList(state);
}

/**
 * Points the key directory at the copies: only a key whose entry is still exactly the
 * version the merge read (same sequence, same file and offset). A key written or deleted
 * meanwhile keeps its newer state.
 */
function repointKeydir(state: StoreState, moves: readonly Move[]): void {
  const keydir = state.keydir;
  for (const move of moves) {
    const slot = keydir.slot(move.key);
    if (
      slot === undefined ||
      keydir.sequence[slot] !== move.sequence ||
      keydir.file[slot] !== move.fromFile ||
      keydir.valueOffset[slot] !== move.fromValueOffset
    )
      continue;
    keydir.update(
      slot,
      move.toFile,
      move.toValueOffset,
      keydir.valueLength[slot]!,
      move.sequence,
      keydir.flags[slot]! & FLAG_STRING,
    );
  }
}

/** Removes the inputs, through the manifest so a crash midway is finished at the next open. */
async function removeInputs(state: StoreState, inputs: readonly DataFile[], outputs: readonly Output[]): Promise<void> {
  const { fs, dir } = state.settings;
  const manifest = join(dir, MERGE_MANIFEST);
  await writeFileAtomic(
    fs,
    manifest,
    encodeMergeManifest(
      inputs.map((file) => file.id),
      outputs.map((output) => output.id),
    ),
  );
  // The handles close once no fsync uses them; the list stops naming the inputs before they go.
  for (const file of inputs) state.retire(file);
  await writeFileList(state);
  for (const file of inputs) {
    if (file.hasHint) fs.unlink(hintFilePath(dir, file.id));
    fs.unlink(file.path);
  }
  await fs.syncDirectory(dir);
  fs.unlink(manifest);
  await fs.syncDirectory(dir);
}

/** The records of `inputs` worth keeping: the live value of each key, or its `keepVersions` newest versions. */
async function chooseSurvivors(
  state: StoreState,
  inputs: readonly DataFile[],
  keepVersions: number,
): Promise<Survivor[]> {
  const perKey = new Map<string, Survivor[]>();
  const survivors: Survivor[] = [];
  for (const file of inputs) {
    const bytes = readWholeFile(file.handle);
    const result = scanGroups(bytes, FILE_HEADER_SIZE, (group) => {
      for (const record of group) {
        const key = recordKey(bytes, record);
        const survivor: Survivor = {
          key,
          file,
          offset: record.offset,
          size: record.size,
          keyLength: record.keyLength,
          sequence: record.sequence,
        };
        if (keepVersions === 1) {
          if (stillLive(state, survivor)) survivors.push(survivor);
          continue;
        }
        const list = perKey.get(key);
        if (list === undefined) perKey.set(key, [survivor]);
        else list.push(survivor);
      }
    });
    const damage =
      result.damage ??
      (result.openGroupAt === undefined ? undefined : { offset: result.openGroupAt, reason: 'unfinished transaction' });
    if (damage !== undefined) throw corruptionError(file.path, damage.offset, damage.reason);
    await yieldToEventLoop();
  }
  for (const list of perKey.values()) {
    list.sort((a, b) => b.sequence - a.sequence);
    // A merge interrupted before removing its inputs can leave one record in two files.
    const unique = list.filter((item, index) => index === 0 || item.sequence !== list[index - 1]!.sequence);
    survivors.push(...unique.slice(0, keepVersions));
  }
  return survivors;
}

function stillLive(state: StoreState, survivor: Survivor): boolean {
  const slot = state.keydir.slot(survivor.key);
  return (
    slot !== undefined &&
    state.keydir.sequence[slot] === survivor.sequence &&
    state.keydir.file[slot] === survivor.file.id &&
    state.keydir.valueOffset[slot] === survivor.offset + RECORD_HEADER_SIZE + survivor.keyLength
  );
}

function finish(
  state: StoreState,
  started: number,
  filesMerged: number,
  filesWritten: number,
  bytesBefore: number,
  bytesAfter: number,
  recordsKept: number,
): MergeReport {
  const finishedAt = Date.now();
  state.lastMerge = {
    finishedAt,
    durationMs: finishedAt - started,
    filesMerged,
    filesWritten,
    bytesBefore,
    bytesAfter,
    recordsKept,
  };
  return state.lastMerge;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
