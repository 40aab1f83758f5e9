import { assertKnownOptions, type DurabilityLevel, resolveDurability } from '@stowage/core';
import { type FileSystem, nodeFileSystem } from '@stowage/fs';
import { invalidConfig, origin } from './errors.js';

/**
 * Something worth a person's attention that did not stop the store: a row of the CSV that
 * open skipped, a background compaction that failed, or journal bytes open cut off that a
 * crash alone may not explain.
 */
export interface CsvWarning {
  readonly kind: 'malformed-row' | 'compaction-failed' | 'journal-damaged' | 'journal-tail-zeroed';
  /** The file concerned. */
  readonly file: string;
  /** 1-based line of a skipped row. */
  readonly line?: number;
  /** Byte offset in `file`, for journal warnings. */
  readonly offset?: number;
  readonly message: string;
  readonly cause?: unknown;
}

/** Something open did to bring the files back to a consistent state (the log engine's report, same shape). */
export interface CsvRecoveryAction {
  readonly action:
    | 'truncated-tail'
    | 'cut-damaged-journal'
    | 'rewrote-header'
    | 'converted-journal'
    | 'removed-temp-file';
  readonly file: string;
  readonly offset?: number;
  /** Bytes removed, for `truncated-tail` and `cut-damaged-journal`. */
  readonly bytes?: number;
  readonly detail: string;
}

export interface CsvBackendOptions {
  /** The CSV file. The journal is `<path>.journal`, the lock `<path>.lock`. Its folder is created when missing. */
  readonly path: string;
  /** The file layer; defaults to the real disk (`nodeFileSystem` of @stowage/fs). */
  readonly fs?: FileSystem;
  /**
   * `batch` (default): a write resolves once its journal line is fsynced; writes that
   * arrive together share the fsync. `none`: written to the OS but not fsynced, so it
   * survives a crash of the process but not of the machine.
   */
  readonly durability?: 'batch' | 'none';
  /** A malformed row at open: `fail` (default) with CORRUPTION, or `skip` it and report it in `warnings`. */
  readonly onMalformedRow?: 'fail' | 'skip';
  /**
   * Journal damage that a crash cannot explain (a bad record with bytes after it, a foreign
   * tail): `fail` (default) the open with CORRUPTION naming file and offset, or `truncate`:
   * keep the intact records before it, save the cut bytes next to the journal as
   * `<journal>.damaged-<ms>`, and report it in `warnings` and `recovery`.
   */
  readonly onJournalDamage?: 'fail' | 'truncate';
  /** Called with each warning as it happens (they are also kept in `backend.warnings`). */
  readonly onWarning?: (warning: CsvWarning) => void;
  /** The journal is folded into the CSV once it passes this many bytes (default 1 MiB)... */
  readonly minJournalBytes?: number;
  /** ...or this multiple of the CSV's size, whichever is larger (default 1), so rewrites stay amortised. */
  readonly journalToCsvRatio?: number;
  /**
   * Start the CSV with a UTF-8 byte order mark, which Excel needs to read non-ASCII text.
   * Default: keep what the file had (none for a new file).
   */
  readonly byteOrderMark?: boolean;
}

/** Options checked and with their defaults filled in. */
export interface ResolvedOptions {
  readonly path: string;
  readonly fs: FileSystem;
  /** `batch` or `none`, the level the manifest reports. */
  readonly durability: DurabilityLevel;
  readonly skipMalformed: boolean;
  readonly onJournalDamage: 'fail' | 'truncate';
  readonly onWarning: ((warning: CsvWarning) => void) | undefined;
  readonly minJournalBytes: number;
  readonly journalToCsvRatio: number;
  /** Undefined: keep what the file had. */
  readonly byteOrderMark: boolean | undefined;
}

const knownOptions = [
  'path',
  'fs',
  'durability',
  'onMalformedRow',
  'onJournalDamage',
  'onWarning',
  'minJournalBytes',
  'journalToCsvRatio',
  'byteOrderMark',
] as const satisfies readonly (keyof CsvBackendOptions)[];

/** Checks `options` (INVALID_CONFIG naming the option for anything wrong, unknown names included) and fills in defaults. */
export function resolveOptions(options: CsvBackendOptions): ResolvedOptions {
  const fail = (message: string): never => {
    throw invalidConfig(message);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object with a path');
  assertKnownOptions(origin, options, knownOptions);
  if (typeof options.path !== 'string' || options.path.length === 0) fail('options.path must name the CSV file');
  const durability = resolveDurability(origin, options.durability, { default: 'batch', offered: ['none', 'batch'] });
  const onMalformedRow = options.onMalformedRow ?? 'fail';
  if (onMalformedRow !== 'fail' && onMalformedRow !== 'skip') fail('onMalformedRow must be "fail" or "skip"');
  const onJournalDamage = options.onJournalDamage ?? 'fail';
  if (onJournalDamage !== 'fail' && onJournalDamage !== 'truncate') {
    fail('onJournalDamage must be "fail" or "truncate"');
  }
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    fail(`onWarning must be a function, got ${typeof options.onWarning}`);
  }
  if (options.byteOrderMark !== undefined && typeof options.byteOrderMark !== 'boolean') {
    fail(`byteOrderMark must be true or false, got ${JSON.stringify(options.byteOrderMark)}`);
  }
  const fs = options.fs ?? nodeFileSystem;
  if (typeof fs !== 'object' || fs === null || typeof fs.open !== 'function') {
    fail('fs must be a FileSystem of @stowage/fs');
  }
  const positive = (value: number | undefined, fallback: number, name: string): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) fail(`${name} must be a positive number`);
    return value as number;
  };
  return {
    path: options.path,
    fs,
    durability,
    skipMalformed: onMalformedRow === 'skip',
    onJournalDamage,
    onWarning: options.onWarning,
    minJournalBytes: positive(options.minJournalBytes, 1024 * 1024, 'minJournalBytes'),
    journalToCsvRatio: positive(options.journalToCsvRatio, 1, 'journalToCsvRatio'),
    byteOrderMark: options.byteOrderMark,
  };
}
