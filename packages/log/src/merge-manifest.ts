/**
 * The MERGE manifest: the input files a finished merge is removing and the merged files
 * that replace them, so a crash during the removals is completed at the next open. Open
 * deletes the files it names, so it is checked before it is trusted: a checksum (a torn
 * or hand-edited one is CORRUPTION, not IO) and the files present (every output it names
 * must be there as a merged file, and it may never name the newest log file, which no
 * merge takes). A manifest that fails either is CORRUPTION; `repair()` reports and drops it.
 */
import { crc32c } from '@stowage/fs';
import { MERGE_MANIFEST } from './data-files.js';
import { corruptionError } from './errors.js';
import type { FileKind } from './record-format.js';

const FORMAT = 1;

export interface MergeManifest {
  /** The merge's inputs, to be removed. */
  readonly remove: readonly number[];
  /** The merged files that replace them. */
  readonly outputs: readonly number[];
}

export function encodeMergeManifest(remove: readonly number[], outputs: readonly number[]): Buffer {
  const body = JSON.stringify({ format: FORMAT, remove, outputs });
  return Buffer.from(JSON.stringify({ body, crc: crc32c(Buffer.from(body, 'utf8')) }), 'utf8');
}

const isIdList = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((id) => Number.isInteger(id) && id > 0);

/** The manifest's content; CORRUPTION when it is not a manifest a merge of this format wrote. */
export function parseMergeManifest(text: string): MergeManifest {
  const fail = (why: string): never => {
    throw corruptionError(MERGE_MANIFEST, 0, `the merge manifest ${why}`);
  };
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch {
    // Stryker disable next-line all: only the wording of the CORRUPTION message changes (code and file stay)
    return fail(text.length === 0 ? 'is empty' : 'is not valid JSON');
  }
  const { body, crc } = (outer ?? {}) as { body?: unknown; crc?: unknown };
  if (typeof body !== 'string' || crc !== crc32c(Buffer.from(body, 'utf8'))) fail('does not match its checksum');
  const parsed = JSON.parse(body as string) as { format?: unknown; remove?: unknown; outputs?: unknown };
  if (parsed.format !== FORMAT || !isIdList(parsed.remove) || !isIdList(parsed.outputs)) {
    // Stryker disable next-line StringLiteral: only the wording of the CORRUPTION message changes (code and file stay)
    fail(`is not a format ${FORMAT} list of files`);
  }
  return { remove: parsed.remove as number[], outputs: parsed.outputs as number[] };
}

/**
 * Checks a manifest against the data files present (id → kind): its outputs must all be
 * there as merged files, and it must not name the newest log file or one of its outputs.
 */
export function checkMergeManifest(manifest: MergeManifest, present: ReadonlyMap<number, FileKind>): void {
  const fail = (why: string): never => {
    throw corruptionError(MERGE_MANIFEST, 0, `the merge manifest does not match the files present: ${why}`);
  };
  for (const id of manifest.outputs) {
    if (present.get(id) !== 'merged') fail(`the merged file ${id} it names is not there`);
  }
  const newestLog = Math.max(0, ...[...present].filter(([, kind]) => kind === 'log').map(([id]) => id));
  for (const id of manifest.remove) {
    // Stryker disable next-line StringLiteral: only the wording of the CORRUPTION message changes (code and file stay)
    if (manifest.outputs.includes(id)) fail(`file ${id} is both an input and an output`);
    // Stryker disable next-line StringLiteral: only the wording of the CORRUPTION message changes (code and file stay)
    if (id === newestLog) fail(`file ${id} is the newest log file, which no merge takes`);
  }
}
