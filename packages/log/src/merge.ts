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
import { crc32c, tempPathFor, writeFileAtomic } from '@stowage/fs';
import {
  closeQuietly,
  corruptionError,
  type DataFile,
  dataFilePath,
  hintFilePath,
  MERGE_MANIFEST,
  readWhole,
} from './data-files.js';
import { recordKey, scanGroups } from './file-scan.js';
import { HintWriter } from './hint-file.js';
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
  readonly fromFile: number;
  readonly fromValueOffset: number;
  readonly toFile: number;
  readonly toValueOffset: number;
}

const YIELD_EVERY = 512;
const WRITE_CHUNK = 1024 * 1024;

export async function mergeStore(state: StoreState, options: MergeOptions): Promise<MergeReport> {
  const started = Date.now();
  const { fs, dir, maxFileSize } = state.settings;
  const keepVersions = options.keepVersions ?? state.settings.keepVersions;
  const inputs = [...state.files.values()].filter((file) => file !== state.active).sort((a, b) => a.id - b.id);
  const bytesBefore = inputs.reduce((sum, file) => sum + file.handle.size(), 0);
  if (inputs.length === 0) return finish(state, started, 0, 0, bytesBefore, 0, 0);

  const survivors = await chooseSurvivors(state, inputs, keepVersions);

  // Write the survivors into new files under temp names.
  const outputs: { id: number; temp: string; hint: HintWriter; size: number }[] = [];
  const moves: Move[] = [];
  let current:
    | { id: number; temp: string; hint: HintWriter; size: number; handle: ReturnType<typeof fs.open> }
    | undefined;
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
      if (current !== undefined && current.size + survivor.size > maxFileSize && current.size > FILE_HEADER_SIZE)
        await closeCurrent();
      if (current === undefined) {
        const id = state.nextFileId++;
        const temp = tempPathFor(dataFilePath(dir, id));
        const handle = fs.open(temp, 'createNew');
        handle.append(encodeFileHeader('merged'));
        current = { id, temp, hint: new HintWriter(id), size: FILE_HEADER_SIZE, handle };
      }
      const offset = current.size;
      pending.push(record);
      pendingBytes += survivor.size;
      current.size += survivor.size;
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
          fromFile: survivor.file.id,
          fromValueOffset: survivor.offset + valueAt,
          toFile: current.id,
          toValueOffset: offset + valueAt,
        });
      }
      if (++count % YIELD_EVERY === 0) await yieldToEventLoop();
    }
    await closeCurrent();
  } catch (error) {
    if (current !== undefined) {
      closeQuietly((current as { handle: ReturnType<typeof fs.open> }).handle);
      outputs.push(current);
    }
    for (const output of outputs) removeQuietly(state, output.temp);
    throw error;
  }

  // Rename into place: hint first, so a data file that has a name always has its hint.
  for (const output of outputs) {
    await writeFileAtomic(fs, hintFilePath(dir, output.id), output.hint.finish());
    fs.rename(output.temp, dataFilePath(dir, output.id));
  }
  await fs.syncDirectory(dir);
  for (const output of outputs) {
    const path = dataFilePath(dir, output.id);
    state.files.set(output.id, { id: output.id, path, kind: 'merged', handle: fs.open(path, 'read'), hasHint: true });
  }

  // Point the key directory at the copies, unless a key moved on meanwhile.
  const keydir = state.keydir;
  for (const move of moves) {
    const slot = keydir.slot(move.key);
    if (slot === undefined || keydir.file[slot] !== move.fromFile || keydir.valueOffset[slot] !== move.fromValueOffset)
      continue;
    keydir.set(
      move.key,
      move.toFile,
      move.toValueOffset,
      keydir.valueLength[slot]!,
      keydir.sequence[slot]!,
      keydir.flags[slot]! & FLAG_STRING,
    );
  }

  // Remove the inputs, through the manifest so a crash midway is finished at the next open.
  const manifest = join(dir, MERGE_MANIFEST);
  await writeFileAtomic(fs, manifest, Buffer.from(JSON.stringify(inputs.map((file) => file.id))));
  for (const file of inputs) {
    state.files.delete(file.id);
    closeQuietly(file.handle);
    if (file.hasHint) fs.unlink(hintFilePath(dir, file.id));
    fs.unlink(file.path);
  }
  await fs.syncDirectory(dir);
  fs.unlink(manifest);
  await fs.syncDirectory(dir);

  const bytesAfter = outputs.reduce((sum, output) => sum + output.size, 0);
  return finish(state, started, inputs.length, outputs.length, bytesBefore, bytesAfter, count);
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
    const bytes = readWhole(file.handle);
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

function removeQuietly(state: StoreState, path: string): void {
  try {
    state.settings.fs.unlink(path);
  } catch {
    // Never created, or already gone.
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
