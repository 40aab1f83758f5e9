/**
 * Replaces a whole file so that after a crash or power cut it holds either the old
 * content or the new, never a mix: write a temp file in the same folder (rename is only
 * atomic within one file system), fsync it, rename it over the target, fsync the folder
 * so the rename itself is durable.
 */
import { dirname } from 'node:path';
import type { FileHandle, FileSystem } from './file-system.js';
import { unlinkQuietly } from './quiet.js';
import { holdTempFile, tempPathFor } from './temp-files.js';

export { TEMP_SUFFIX, tempPathFor } from './temp-files.js';

/**
 * The new content: one piece, or chunks (sync or async) appended one after another, so a
 * caller rewriting a large file (csv) never holds all of it in memory.
 */
export type AtomicContent = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Durably replaces `path` with `content` and returns the bytes written; on failure
 * (including an error thrown by the chunks' iterator) removes the temp file and leaves
 * `path` as it was.
 */
export async function writeFileAtomic(fs: FileSystem, path: string, content: AtomicContent): Promise<number> {
  const temp = tempPathFor(path);
  const done = holdTempFile(fs, temp);
  let renamed = false;
  try {
    const handle = fs.open(temp, 'createNew');
    let size: number;
    try {
      size = await writeContent(handle, content);
      await handle.sync();
    } finally {
      handle.close();
    }
    fs.rename(temp, path);
    // Stryker disable next-line BooleanLiteral: after the rename the temp name is gone, so unlinking it quietly finds nothing
    renamed = true;
    await fs.syncDirectory(dirname(path));
    return size;
  } catch (error) {
    // The temp file may never have been created; the original error is what matters.
    // Stryker disable next-line ConditionalExpression: after the rename the temp name is gone, so unlinking it quietly finds nothing
    if (!renamed) unlinkQuietly(fs, temp);
    throw error;
  } finally {
    done();
  }
}

async function writeContent(handle: FileHandle, content: AtomicContent): Promise<number> {
  // A Uint8Array is itself iterable (of numbers), so it is told apart first.
  if (content instanceof Uint8Array) return append(handle, content);
  let size = 0;
  // Stryker disable next-line ConditionalExpression: for await walks a sync iterable the same way, chunk by chunk in order
  if (Symbol.asyncIterator in content) {
    for await (const chunk of content) size += append(handle, chunk);
  } else {
    for (const chunk of content) size += append(handle, chunk);
  }
  return size;
}

function append(handle: FileHandle, chunk: Uint8Array): number {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: appending zero bytes changes nothing; the check only saves a call
  if (chunk.byteLength > 0) handle.append(chunk);
  return chunk.byteLength;
}
