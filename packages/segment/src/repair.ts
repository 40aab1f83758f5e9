/**
 * repair() of a closed store: a WAL with damage is cut at its first damaged record (the
 * records after it are reported lost); a damaged segment is rewritten from its intact
 * blocks under a new number (its lost blocks reported); a segment that cannot be opened
 * at all, or is missing, is dropped from the manifest. One manifest edit records it all.
 */
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { acquireLock, truncateFileDurable, unlinkQuietly } from '@stowage/fs';
import { ORIGIN } from './errors.js';
import { LEVEL_COUNT } from './limits.js';
import { type FileMeta, parseFileName, readManifest, segmentName, walName, writeManifest } from './manifest.js';
import type { StoreSettings } from './segment-options.js';
import { SegmentReader } from './segment-reader.js';
import { SegmentWriter } from './segment-writer.js';
import { finish } from './table-writer.js';
import { scanWal } from './wal-scan.js';

export interface RepairedSegment {
  readonly file: string;
  /** The file that replaces it, or undefined when nothing of it could be kept. */
  readonly replacedBy: string | undefined;
  readonly lostBlocks: number;
  readonly reason: string;
}

export interface RepairedWal {
  readonly file: string;
  /** Where the file was cut. */
  readonly cutAt: number;
  readonly lostBytes: number;
}

export interface RepairReport {
  readonly segments: readonly RepairedSegment[];
  readonly wals: readonly RepairedWal[];
  /** True when nothing needed repair. */
  readonly clean: boolean;
}

export async function repairStore(settings: StoreSettings): Promise<RepairReport> {
  const { fs, dir } = settings;
  const lock = await acquireLock(fs, join(dir, 'LOCK'), { origin: ORIGIN });
  try {
    const manifest = readManifest(fs, dir);
    if (manifest === undefined) {
      throw new StowageError('INVALID_ARGUMENT', `${dir} holds no segment store (no MANIFEST)`, { origin: ORIGIN });
    }
    let nextFile = manifest.nextFile;
    for (const name of fs.readdir(dir)) {
      const parsed = parseFileName(name);
      if (parsed !== undefined) nextFile = Math.max(nextFile, parsed.number + 1);
    }
    const segments: RepairedSegment[] = [];
    const levels: FileMeta[][] = Array.from({ length: LEVEL_COUNT }, () => []);
    for (let level = 0; level < manifest.levels.length; level++) {
      for (const meta of manifest.levels[level]!) {
        const path = join(dir, segmentName(meta.number));
        const outcome = await checkSegment(settings, path, meta, nextFile);
        if (outcome === 'intact') {
          levels[level]!.push(meta);
          continue;
        }
        segments.push(outcome.report);
        if (outcome.meta !== undefined) {
          nextFile = outcome.meta.number + 1;
          levels[level]!.push(outcome.meta);
        }
      }
    }
    const wals: RepairedWal[] = [];
    for (const name of fs.readdir(dir)) {
      const parsed = parseFileName(name);
      if (parsed?.kind !== 'wal' || parsed.number < manifest.logNumber) continue;
      const path = join(dir, walName(parsed.number));
      const bytes = Buffer.from(fs.readFile(path));
      const scan = scanWal(bytes, () => undefined);
      if (scan.damage === undefined) continue;
      await truncateFileDurable(fs, path, scan.intactEnd);
      wals.push({ file: path, cutAt: scan.intactEnd, lostBytes: bytes.length - scan.intactEnd });
    }
    if (segments.length > 0) {
      await writeManifest(fs, dir, { nextFile, logNumber: manifest.logNumber, levels });
      // Missing already is fine.
      for (const repaired of segments) unlinkQuietly(fs, repaired.file);
    }
    return { segments, wals, clean: segments.length === 0 && wals.length === 0 };
  } finally {
    await lock.release();
  }
}

type SegmentOutcome = 'intact' | { report: RepairedSegment; meta: FileMeta | undefined };

async function checkSegment(
  settings: StoreSettings,
  path: string,
  meta: FileMeta,
  number: number,
): Promise<SegmentOutcome> {
  let reader: SegmentReader;
  try {
    reader = SegmentReader.open(path, { fs: settings.fs });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { report: { file: path, replacedBy: undefined, lostBlocks: 0, reason }, meta: undefined };
  }
  try {
    const kept: [string, Parameters<SegmentWriter['add']>[1]][] = [];
    let lost = 0;
    let reason = '';
    for (let index = 0; index < reader.dataBlocks; index++) {
      try {
        const block = reader.decodedBlock(index);
        block.keys.forEach((key, i) => {
          const start = block.valueStarts[i]!;
          const end = start + block.valueLengths[i]!;
          const kind = block.kinds[i]!;
          kept.push([
            key,
            kind === 0
              ? Uint8Array.prototype.slice.call(block.content, start, end)
              : kind === 1
                ? block.content.toString('utf8', start, end)
                : undefined,
          ]);
        });
      } catch (error) {
        if (!StowageError.is(error)) throw error;
        lost++;
        reason ||= error.message;
      }
    }
    if (lost === 0 && kept.length === meta.entries) return 'intact';
    if (kept.length === 0)
      return { report: { file: path, replacedBy: undefined, lostBlocks: lost, reason }, meta: undefined };
    const replacement = join(settings.dir, segmentName(number));
    const writer = new SegmentWriter(replacement, {
      fs: settings.fs,
      blockSize: settings.blockSize,
      bitsPerKey: settings.bitsPerKey,
    });
    for (const [key, value] of kept) writer.add(key, value);
    return {
      report: { file: path, replacedBy: replacement, lostBlocks: lost, reason },
      meta: await finish(writer, number),
    };
  } finally {
    reader.close();
  }
}
