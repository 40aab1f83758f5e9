/**
 * The manifest: which segment files make the store, at which level, and from which WAL
 * on the writes are not yet in segments. It is one small file, `MANIFEST`, rewritten
 * whole by temp name, fsync, rename and folder fsync for every change (a flush, a
 * compaction), so after a crash it is the old list or the new, never a mix. (An
 * append-only edit log would make each change cheaper; with at most a few hundred files
 * the whole rewrite costs well under a millisecond of writing, and there is one format to
 * read instead of two.) Layout: a JSON document, a newline, then the CRC32C of the JSON
 * bytes as 8 hex digits and a newline.
 */
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { crc32c, type FileSystem, writeFileAtomic } from '@stowage/fs';
import { ORIGIN } from './errors.js';

export const MANIFEST_FILE = 'MANIFEST';
const MANIFEST_FORMAT = 1;

/** One segment file as the manifest lists it. */
export interface FileMeta {
  readonly number: number;
  readonly size: number;
  readonly entries: number;
  readonly tombstones: number;
  readonly smallest: string;
  readonly largest: string;
}

export interface ManifestData {
  /** The next number for a new file (segments and WALs share one sequence). */
  readonly nextFile: number;
  /** WAL files numbered from this on hold writes not yet in a segment. */
  readonly logNumber: number;
  /** Files per level; level 0 newest first, deeper levels sorted by key. */
  readonly levels: readonly (readonly FileMeta[])[];
}

export function segmentName(number: number): string {
  return `${String(number).padStart(6, '0')}.seg`;
}

export function walName(number: number): string {
  return `${String(number).padStart(6, '0')}.wal`;
}

/** The number and kind of a store file name, or undefined for other names. */
export function parseFileName(name: string): { number: number; kind: 'seg' | 'wal' } | undefined {
  const match = /^(\d{6,})\.(seg|wal)$/.exec(name);
  return match === null ? undefined : { number: Number(match[1]), kind: match[2] as 'seg' | 'wal' };
}

export async function writeManifest(fs: FileSystem, dir: string, data: ManifestData): Promise<void> {
  const json = JSON.stringify({ format: MANIFEST_FORMAT, ...data });
  const body = Buffer.from(json, 'utf8');
  const text = `${json}\n${crc32c(body).toString(16).padStart(8, '0')}\n`;
  await writeFileAtomic(fs, join(dir, MANIFEST_FILE), Buffer.from(text, 'utf8'));
}

/** The manifest, undefined when there is none, or CORRUPTION when it is damaged. */
export function readManifest(fs: FileSystem, dir: string): ManifestData | undefined {
  const path = join(dir, MANIFEST_FILE);
  if (fs.stat(path) === undefined) return undefined;
  const text = Buffer.from(fs.readFile(path)).toString('utf8');
  const damaged = (why: string) =>
    new StowageError('CORRUPTION', `${path} is damaged: ${why}`, { origin: ORIGIN, file: path, offset: 0 });
  const match = /^(.*)\n([0-9a-f]{8})\n$/s.exec(text);
  if (match === null) throw damaged('not a manifest (no checksum line)');
  const json = match[1]!;
  if (crc32c(Buffer.from(json, 'utf8')) !== Number.parseInt(match[2]!, 16)) throw damaged('checksum mismatch');
  const parsed = JSON.parse(json) as ManifestData & { format: number };
  if (parsed.format !== MANIFEST_FORMAT) throw damaged(`unsupported manifest format ${parsed.format}`);
  return { nextFile: parsed.nextFile, logNumber: parsed.logNumber, levels: parsed.levels };
}
