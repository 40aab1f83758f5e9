/**
 * Replaces a whole file so that after a crash or power cut it holds either the old
 * content or the new, never a mix: write a temp file in the same folder (rename is only
 * atomic within one file system), fsync it, rename it over the target, fsync the folder
 * so the rename itself is durable.
 */
import { dirname } from 'node:path';
import type { FileSystem } from './file-system.js';
import { holdTempFile, tempPathFor } from './temp-files.js';

export { TEMP_SUFFIX, tempPathFor } from './temp-files.js';

/** Durably replaces `path` with `data`; on failure removes the temp file and leaves `path` as it was. */
export async function writeFileAtomic(fs: FileSystem, path: string, data: Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  const done = holdTempFile(fs, temp);
  let renamed = false;
  try {
    const handle = fs.open(temp, 'createNew');
    try {
      if (data.byteLength > 0) handle.write(data, 0);
      await handle.sync();
    } finally {
      handle.close();
    }
    fs.rename(temp, path);
    renamed = true;
    await fs.syncDirectory(dirname(path));
  } catch (error) {
    if (!renamed) removeQuietly(fs, temp);
    throw error;
  } finally {
    done();
  }
}

function removeQuietly(fs: FileSystem, path: string): void {
  try {
    fs.unlink(path);
  } catch {
    // The temp file may never have been created; the original error is what matters.
  }
}
