/**
 * Writing a segment from entries in any order (`sort: true`), in bounded memory: entries
 * are gathered up to `sortBufferBytes`, sorted (stably, so of equal keys the later stays
 * later) and spilled as a temporary run segment; the runs are then merged into the final
 * file, the newest run winning on equal keys, so the last entry of a key wins as it does
 * for sorted input. Input that fits the buffer is sorted and written directly.
 */
import { compareKeys, type EncodedValue } from '@stowage/core';
import { type FileSystem, holdTempFile, nodeFileSystem, tempPathFor, unlinkQuietly } from '@stowage/fs';
import type { EntryCursor } from './entry-cursor.js';
import { MergeCursor } from './merge-cursor.js';
import { SegmentReader } from './segment-reader.js';
import type { SegmentEntry, SegmentInfo, SegmentWriter, SegmentWriterOptions } from './segment-writer.js';

/** Default memory for gathering unsorted entries before a run is spilled. */
export const DEFAULT_SORT_BUFFER_BYTES = 64 * 1024 * 1024;
const ENTRY_OVERHEAD = 64;

type Buffered = [string, EncodedValue];

export async function writeUnsorted(
  Writer: typeof SegmentWriter,
  path: string,
  entries: AsyncIterable<SegmentEntry> | Iterable<SegmentEntry>,
  options: SegmentWriterOptions,
): Promise<SegmentInfo> {
  const fs: FileSystem = options.fs ?? nodeFileSystem;
  const limit = options.sortBufferBytes ?? DEFAULT_SORT_BUFFER_BYTES;
  const plain = { ...options, sort: false };
  const runs: string[] = [];
  const readers: SegmentReader[] = [];
  let buffer: Buffered[] = [];
  let bytes = 0;
  const sorted = () => buffer.sort((a, b) => compareKeys(a[0], b[0]));
  // Runs are temp files until the merge is done: held, so a store opening meanwhile leaves them.
  const held: (() => void)[] = [];
  const newRun = (): string => {
    const run = tempPathFor(`${path}.run${runs.length}`);
    runs.push(run);
    held.push(holdTempFile(fs, run));
    return run;
  };
  try {
    for await (const [key, value] of entries) {
      buffer.push([key, value]);
      bytes += ENTRY_OVERHEAD + key.length * 2 + (typeof value === 'string' ? value.length * 2 : value.byteLength);
      if (bytes >= limit) {
        const run = newRun();
        await Writer.write(run, sorted(), { ...plain, bitsPerKey: 0 });
        buffer = [];
        bytes = 0;
      }
    }
    if (runs.length === 0) return await Writer.write(path, sorted(), plain);
    if (buffer.length > 0) {
      const run = newRun();
      await Writer.write(run, sorted(), { ...plain, bitsPerKey: 0 });
      buffer = [];
    }
    for (const run of runs) readers.push(SegmentReader.open(run, { fs, cache: 1024 * 1024 }));
    // Newest run first: it wins on equal keys.
    const sources: EntryCursor[] = readers.map((reader) => reader.cursor()).reverse();
    const writer = new Writer(path, plain);
    try {
      for (const cursor = new MergeCursor(sources, false); cursor.valid; cursor.next()) {
        writer.add(cursor.key, cursor.value());
      }
      return await writer.finish();
    } catch (error) {
      writer.abort();
      throw error;
    }
  } finally {
    for (const reader of readers) reader.close();
    // A run never written (its writer failed and removed it) is no error.
    for (const run of runs) unlinkQuietly(fs, run);
    for (const release of held) release();
  }
}
