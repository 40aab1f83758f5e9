/**
 * Rewriting the CSV durably and in chunks: rows go to a temp file a chunk at a time
 * (never one string of the whole file), then fsync, rename over the CSV, fsync the folder
 * — the same steps as writeFileAtomic of @stowage/fs, which takes the content in one piece.
 */
import { dirname } from 'node:path';
import type { EncodedValue } from '@stowage/core';
import { type FileSystem, holdTempFile, tempPathFor, unlinkQuietly } from '@stowage/fs';
import { serializeCsvChunks } from './csv-file.js';

const encoder = new TextEncoder();
const byteOrderMark = new Uint8Array([0xef, 0xbb, 0xbf]);

export interface CsvWriteOptions {
  readonly byteOrderMark: boolean;
  /** Expiries of the entries that have one (the `expires` column). */
  readonly expiries?: ReadonlyMap<string, number>;
  /** Characters of rows per write (default 1 Mi); tests pass a small one. */
  readonly chunkChars?: number;
}

/** Durably replaces `path` with the CSV of `entries`; returns its size in bytes. On failure `path` is unchanged. */
export async function writeCsvAtomic(
  fs: FileSystem,
  path: string,
  entries: Iterable<[string, EncodedValue]>,
  options: CsvWriteOptions,
): Promise<number> {
  const temp = tempPathFor(path);
  const release = holdTempFile(fs, temp);
  let renamed = false;
  let size = 0;
  try {
    const handle = fs.open(temp, 'createNew');
    try {
      if (options.byteOrderMark) {
        handle.append(byteOrderMark);
        size += byteOrderMark.length;
      }
      for (const chunk of serializeCsvChunks(entries, options.chunkChars, options.expiries)) {
        const bytes = encoder.encode(chunk);
        handle.append(bytes);
        size += bytes.length;
      }
      await handle.sync();
    } finally {
      handle.close();
    }
    fs.rename(temp, path);
    renamed = true;
    await fs.syncDirectory(dirname(path));
    return size;
  } catch (error) {
    // The temp file may never have been created; the original error is what matters.
    if (!renamed) unlinkQuietly(fs, temp);
    throw error;
  } finally {
    release();
  }
}
