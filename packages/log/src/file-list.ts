/**
 * The file list (`FILES`): which data files the store consists of and, for each
 * immutable one, its exact size. Without it a deleted older file, or one cut back to a
 * record boundary, opens cleanly: deleted keys come back and newer values revert. Open
 * checks the list against the folder and refuses with CORRUPTION naming what is missing
 * or shortened; `repair()` reports it and drops the stale list.
 *
 * The list is rewritten (atomically: temp file, fsync, rename, folder fsync) at open,
 * when a log file is started, when a merge installs its files and before it removes its
 * inputs, and at close. The active log file and a file a group commit is still writing
 * are listed without a size: their length is still changing (a torn tail is cut at open).
 * Files present but not listed are accepted: a crash between creating a file and
 * rewriting the list leaves exactly that.
 */
import { join } from 'node:path';
import { type FileSystem, writeFileAtomic } from '@stowage/fs';
import { readFileBuffer } from './data-files.js';
import { corruptionError } from './errors.js';
import type { StoreState } from './store-state.js';

export const FILE_LIST = 'FILES';
const FORMAT = 1;

/** A listed data file: its id, and its size when it is immutable. */
export interface ListedFile {
  readonly id: number;
  readonly size: number | undefined;
}

/** Writes the list of the store's current files. */
export async function writeFileList(state: StoreState): Promise<void> {
  const { fs, dir } = state.settings;
  const files = [...state.files.values()]
    .sort((a, b) => a.id - b.id)
    .map((file) =>
      file === state.active || state.writing.has(file) ? [file.id, null] : [file.id, file.handle.size()],
    );
  await writeFileAtomic(fs, join(dir, FILE_LIST), Buffer.from(JSON.stringify({ format: FORMAT, files })));
}

/** The listed files, or undefined when the store has no list (a new store, or one written before lists existed). */
export function readFileList(fs: FileSystem, dir: string): ListedFile[] | undefined {
  const path = join(dir, FILE_LIST);
  if (fs.stat(path) === undefined) return undefined;
  const text = readFileBuffer(fs, path).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw corruptionError(FILE_LIST, 0, 'the file list is not valid JSON');
  }
  const files = (parsed as { files?: unknown } | null)?.files;
  if ((parsed as { format?: unknown } | null)?.format !== FORMAT || !Array.isArray(files)) {
    throw corruptionError(FILE_LIST, 0, `the file list is not a format ${FORMAT} list of files`);
  }
  return files.map((entry: unknown) => {
    if (
      !Array.isArray(entry) ||
      entry.length !== 2 ||
      !Number.isInteger(entry[0]) ||
      entry[0] <= 0 ||
      !(entry[1] === null || (Number.isInteger(entry[1]) && entry[1] >= 0))
    ) {
      throw corruptionError(FILE_LIST, 0, 'the file list has an entry that is not [id, size]');
    }
    return { id: entry[0] as number, size: (entry[1] as number | null) ?? undefined };
  });
}

/** What does not match the list: files it names that are gone, and immutable files whose size changed. */
export function fileListProblems(
  listed: readonly ListedFile[],
  present: ReadonlyMap<number, number>,
  name: (id: number) => string,
): { readonly file: string; readonly reason: string }[] {
  const problems: { file: string; reason: string }[] = [];
  for (const { id, size } of listed) {
    const actual = present.get(id);
    if (actual === undefined) {
      problems.push({ file: name(id), reason: `the file is missing (the store's file list ${FILE_LIST} names it)` });
    } else if (size !== undefined && actual !== size) {
      problems.push({
        file: name(id),
        reason: `the file has ${actual} bytes where the file list ${FILE_LIST} recorded ${size}`,
      });
    }
  }
  return problems;
}
