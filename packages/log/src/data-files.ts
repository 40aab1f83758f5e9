/**
 * The files of a store directory: `000001.data` (numbered data files), `000001.hint`
 * (beside merged data files), `LOCK`, and `MERGE` (the list of files a finished merge is
 * removing, so a crash midway is completed at the next open).
 */
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { type FileHandle, type FileSystem, fileError } from '@stowage/fs';
import { ORIGIN } from './limits.js';
import type { FileKind } from './record-format.js';

/** One open data file. */
export interface DataFile {
  readonly id: number;
  readonly path: string;
  readonly kind: FileKind;
  readonly handle: FileHandle;
  /** A hint file lists its records (merged files only). */
  readonly hasHint: boolean;
}

export const LOCK_FILE = 'LOCK';
export const MERGE_MANIFEST = 'MERGE';

const namePattern = /^(\d{6,})\.(data|hint)$/;

export function dataFileName(id: number): string {
  return `${String(id).padStart(6, '0')}.data`;
}

export function hintFileName(id: number): string {
  return `${String(id).padStart(6, '0')}.hint`;
}

export function dataFilePath(dir: string, id: number): string {
  return join(dir, dataFileName(id));
}

export function hintFilePath(dir: string, id: number): string {
  return join(dir, hintFileName(id));
}

/** The id and type of a store file name, or undefined for any other name. */
export function parseFileName(name: string): { readonly id: number; readonly type: 'data' | 'hint' } | undefined {
  const match = namePattern.exec(name);
  if (match === null) return undefined;
  return { id: Number(match[1]), type: match[2] as 'data' | 'hint' };
}

/** The whole content of an open file, as of now. */
export function readWhole(handle: FileHandle): Buffer {
  const size = handle.size();
  const bytes = Buffer.allocUnsafe(size);
  const read = handle.read(bytes, 0, size, 0);
  return read === size ? bytes : bytes.subarray(0, read);
}

/** A file read as a Buffer view, without copying. */
export function readFileBuffer(fs: FileSystem, path: string): Buffer {
  const bytes = fs.readFile(path);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function corruptionError(file: string, offset: number, reason: string): StowageError {
  return new StowageError('CORRUPTION', `${file} is damaged at byte ${offset}: ${reason}`, {
    origin: ORIGIN,
    file,
    offset,
  });
}

/** Turns what a file call threw into a StowageError naming the file. */
export function ioError(error: unknown, file: string, action: string): StowageError {
  return fileError(error, { origin: ORIGIN, file, action });
}

export function closeQuietly(handle: FileHandle): void {
  try {
    handle.close();
  } catch {
    // Closing a handle a failed disk already invalidated has nothing left to report.
  }
}
