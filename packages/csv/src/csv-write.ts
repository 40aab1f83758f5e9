/**
 * Rewriting the CSV durably and in chunks: rows become byte chunks a chunk at a time
 * (never one string of the whole file) and @stowage/fs's writeFileAtomic streams them to a
 * temp file, fsyncs it, renames it over the CSV and fsyncs the folder.
 */
import type { EncodedValue } from '@stowage/core';
import { type FileSystem, writeFileAtomic } from '@stowage/fs';
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
export function writeCsvAtomic(
  fs: FileSystem,
  path: string,
  entries: Iterable<[string, EncodedValue]>,
  options: CsvWriteOptions,
): Promise<number> {
  return writeFileAtomic(fs, path, csvBytes(entries, options));
}

/** The file's bytes, chunk by chunk: the byte-order mark if asked, then the rows. */
function* csvBytes(entries: Iterable<[string, EncodedValue]>, options: CsvWriteOptions): Generator<Uint8Array> {
  if (options.byteOrderMark) yield byteOrderMark;
  for (const chunk of serializeCsvChunks(entries, options.chunkChars, options.expiries)) yield encoder.encode(chunk);
}
