/**
 * The few steps every file engine takes to make a name durable, written once: a folder
 * (and its parents) whose names survive a power cut, and a new file whose name and first
 * bytes survive it. A file fsync does not make its name durable; the folder's fsync does.
 */
import { dirname } from 'node:path';
import type { FileHandle, FileSystem } from './file-system.js';
import { closeQuietly, unlinkQuietly } from './quiet.js';

/**
 * `mkdir -p` that survives a power cut: creates `dir` and its missing parents, then fsyncs
 * the folder holding each new one, outermost first. Returns the folders it created,
 * outermost first (empty when `dir` existed). Errors are node's (EROFS on a read-only mount).
 */
export async function makeDirectoryDurable(fs: FileSystem, dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let path = dir; fs.stat(path) === undefined; path = dirname(path)) {
    missing.push(path);
    if (dirname(path) === path) break;
  }
  // Also when `dir` is a file: mkdir reports it (EEXIST) as node would.
  // Stryker disable next-line OptionalChaining: stat is read only when nothing was missing, so `dir` exists
  if (missing.length > 0 || fs.stat(dir)?.isDirectory === false) fs.mkdir(dir);
  missing.reverse();
  for (const path of missing) await fs.syncDirectory(dirname(path));
  return missing;
}

/**
 * Creates the new file `path` (EEXIST if it exists) holding `content` (e.g. a header), and
 * makes both durable: fsync of the file, then of its folder. Returns the handle, open for
 * reading and writing. On failure the file is closed and removed and the error (node's)
 * is thrown.
 */
export async function createFileDurable(
  fs: FileSystem,
  path: string,
  content: Uint8Array = new Uint8Array(0),
): Promise<FileHandle> {
  const handle = fs.open(path, 'createNew');
  try {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: writing zero bytes changes nothing; the check only saves a call
    if (content.byteLength > 0) handle.write(content, 0);
    await handle.sync();
    await fs.syncDirectory(dirname(path));
    return handle;
  } catch (error) {
    closeQuietly(handle);
    unlinkQuietly(fs, path);
    throw error;
  }
}

/**
 * Cuts the file at `path` down to its first `length` bytes and fsyncs it, so the cut
 * survives a power cut (a torn tail cut at open, a damaged tail cut by a repair). The
 * file is closed again either way; errors are node's.
 */
export async function truncateFileDurable(fs: FileSystem, path: string, length: number): Promise<void> {
  const handle = fs.open(path, 'write');
  try {
    handle.truncate(length);
    await handle.sync();
  } finally {
    closeQuietly(handle);
  }
}

/** The whole content of an open file as of now (what a writer appended so far included). */
export function readWholeFile(handle: FileHandle): Buffer {
  const size = handle.size();
  const bytes = Buffer.allocUnsafe(size);
  const read = handle.read(bytes, 0, size, 0);
  // Stryker disable next-line ConditionalExpression: when the read got every byte, the subarray holds the same bytes
  return read === size ? bytes : bytes.subarray(0, read);
}
