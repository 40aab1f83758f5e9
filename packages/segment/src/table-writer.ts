/**
 * Writes the entries of a cursor into new segment files (one for a flush; split at the
 * target size for a compaction), giving the event loop a turn every few hundred entries
 * so reads and writes go on while it runs. A failure removes the files written so far
 * (none of them is in the manifest yet).
 */
import { unlinkQuietly } from '@stowage/fs';
import type { EntryCursor } from './entry-cursor.js';
import type { FileMeta } from './manifest.js';
import { segmentName } from './manifest.js';
import { KIND_TOMBSTONE } from './segment-format.js';
import { SegmentWriter } from './segment-writer.js';
import type { StoreState } from './store-state.js';

const YIELD_EVERY = 256;

export interface TableWriteOptions {
  /** Start a new file at the target size (compaction), or write one file (flush). */
  readonly split: boolean;
  /** Leave deletions out: no older entry of their keys can be below the output. */
  readonly dropTombstones: boolean;
}

export async function writeTables(
  state: StoreState,
  cursor: EntryCursor,
  options: TableWriteOptions,
): Promise<FileMeta[]> {
  const { fs, blockSize, bitsPerKey, targetFileBytes } = state.settings;
  const written: FileMeta[] = [];
  let writer: SegmentWriter | undefined;
  let number = 0;
  let count = 0;
  try {
    for (; cursor.valid; cursor.next()) {
      if (cursor.kind === KIND_TOMBSTONE && options.dropTombstones) continue;
      if (writer === undefined) {
        number = state.nextFile++;
        writer = new SegmentWriter(state.path(segmentName(number)), { fs, blockSize, bitsPerKey });
      }
      writer.add(cursor.key, cursor.value());
      if (options.split && writer.bytesWritten >= targetFileBytes) {
        written.push(await finish(writer, number));
        writer = undefined;
      }
      if (++count % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (writer !== undefined) written.push(await finish(writer, number));
    return written;
  } catch (error) {
    writer?.abort();
    // Not in the manifest: on failure the orphan sweep at the next open removes it.
    for (const meta of written) unlinkQuietly(fs, state.path(segmentName(meta.number)));
    throw error;
  }
}

/** Finishes `writer` and describes the file for the manifest as segment `number`. */
export async function finish(writer: SegmentWriter, number: number): Promise<FileMeta> {
  const info = await writer.finish();
  return {
    number,
    size: info.size,
    entries: info.entries,
    tombstones: info.tombstones,
    smallest: info.smallest!,
    largest: info.largest!,
  };
}
