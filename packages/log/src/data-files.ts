/**
 * The files of a store directory: `000001.data` (numbered data files), `000001.hint`
 * (beside merged data files), `LOCK`, and `MERGE` (the list of files a finished merge is
 * removing, so a crash midway is completed at the next open).
 */
import { join } from 'node:path';
import type { FileHandle, FileSystem } from '@stowage/fs';
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

/** A file read as a Buffer view, without copying. */
export function readFileBuffer(fs: FileSystem, path: string): Buffer {
  const bytes = fs.readFile(path);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
