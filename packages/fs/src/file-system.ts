/**
 * Everything Stowage's file engines do with files goes through this interface, so a test
 * can hand an engine a simulated disk that loses what was not fsynced when the power is
 * cut. Reads and writes are synchronous on purpose: a positional read of the page cache
 * costs a few microseconds, an async round trip through libuv's pool costs several times
 * that. Only the calls that wait for the disk itself (fsync) are asynchronous, so the
 * event loop keeps accepting writes for the next group commit meanwhile (unless the
 * caller asks for an in-thread fsync, for a write that has no company to wait for).
 *
 * Errors are thrown as node does (an Error with `code` 'ENOENT', 'EIO', 'ENOSPC', ...);
 * engines turn them into StowageError at their boundary.
 */

export interface FileStat {
  readonly size: number;
  readonly isDirectory: boolean;
}

/**
 * How to open a file:
 * - `read`: an existing file, read only;
 * - `write`: an existing file, read and write;
 * - `create`: read and write, created empty when missing (never truncated);
 * - `createNew`: read and write, fails with EEXIST when the file exists.
 */
export type OpenMode = 'read' | 'write' | 'create' | 'createNew';

export interface FileHandle {
  readonly path: string;
  /** Reads up to `length` bytes at file `position` into `buffer` at `offset`; returns the bytes read (0 at the end). */
  read(buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes all of `data` at file `position`. */
  write(data: Uint8Array, position: number): void;
  /** Writes all of `data` at the end of the file; returns the position it was written at. */
  append(data: Uint8Array): number;
  /** The current size, including writes not yet synced. */
  size(): number;
  /** Cuts or extends the file to `size` bytes. */
  truncate(size: number): void;
  /**
   * Makes every write so far durable (fsync). On libuv's thread pool by default, so the
   * event loop keeps running meanwhile; with `inThread` the fsync runs in the calling
   * thread and the returned promise is already settled: two thread wake-ups fewer, at the
   * price of blocking the event loop for the fsync. Meant for a lone write nobody else is
   * waiting to join (GroupCommitQueue's `BatchControl.inThread` says when); an
   * implementation may ignore it, the guarantee is the same.
   */
  sync(options?: { readonly inThread?: boolean }): Promise<void>;
  close(): void;
}

export interface FileSystem {
  open(path: string, mode: OpenMode): FileHandle;
  /** The whole content of a file. */
  readFile(path: string): Uint8Array;
  /** Atomically replaces `to` with `from` (durable only after `syncDirectory` of the folder). */
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** Creates a folder and its parents; no error when it exists. */
  mkdir(path: string): void;
  /** Names of the entries of a folder, sorted. */
  readdir(path: string): string[];
  /** Size and kind of `path`, or undefined when it does not exist. */
  stat(path: string): FileStat | undefined;
  /** Makes creations, renames and deletions in folder `path` durable (fsync of the directory). */
  syncDirectory(path: string): Promise<void>;
}
