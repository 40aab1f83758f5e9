import type { FileSystem } from '@stowage/fs';

/** A row of the CSV that open skipped, or a background compaction that failed. */
export interface CsvWarning {
  readonly kind: 'malformed-row' | 'compaction-failed';
  /** The file concerned. */
  readonly file: string;
  /** 1-based line of a skipped row. */
  readonly line?: number;
  readonly message: string;
  readonly cause?: unknown;
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
