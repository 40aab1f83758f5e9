/**
 * The real file layer on node:fs: synchronous positional reads and writes on a file
 * descriptor, fsync on libuv's thread pool (or in the calling thread when asked). Errors are node's own (with
 * `code`); engines turn them into StowageError with `fileError` at their boundary.
 */
import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system.js';

const { O_RDONLY, O_RDWR, O_CREAT, O_EXCL } = fs.constants;

// Never O_APPEND: on Linux it makes positional writes land at the end as well, so
// `append` is done as a positional write at the current size of the file.
const openFlags: Record<OpenMode, number> = {
  read: O_RDONLY,
  write: O_RDWR,
  create: O_RDWR | O_CREAT,
  createNew: O_RDWR | O_CREAT | O_EXCL,
};

class NodeFileHandle implements FileHandle {
  readonly path: string;
  #fd: number;
  /**
   * A writable handle tracks the size itself: an fstat costs as much as the write it would
   * precede. Engines keep one writable handle per file, so nothing else moves its end.
   * A read-only handle asks the file each time, so it sees what a writer appended since.
   */
  #trackedSize: number | undefined;
  #closed = false;
  /** fsyncs still running; the descriptor is closed only after them, so it is never reused under them. */
  #pendingSyncs = 0;

  constructor(path: string, fd: number, writable: boolean) {
    this.path = path;
    this.#fd = fd;
    this.#trackedSize = writable ? fs.fstatSync(fd).size : undefined;
  }

  read(buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.#assertOpen();
    let total = 0;
    // Stryker disable next-line EqualityOperator: one more read of 0 bytes returns 0 and breaks
    while (total < length) {
      const count = fs.readSync(this.#fd, buffer, offset + total, length - total, position + total);
      if (count === 0) break;
      total += count;
    }
    return total;
  }

  write(data: Uint8Array, position: number): void {
    this.#assertOpen();
    let written = 0;
    while (written < data.byteLength) {
      // Stryker disable next-line ArithmeticOperator: a regular file takes the whole write at once, so the loop runs once with written = 0
      written += fs.writeSync(this.#fd, data, written, data.byteLength - written, position + written);
    }
    // Stryker disable next-line ConditionalExpression: only writable handles write; a read-only one fails in writeSync first
    if (this.#trackedSize !== undefined) this.#trackedSize = Math.max(this.#trackedSize, position + data.byteLength);
  }

  append(data: Uint8Array): number {
    const position = this.size();
    this.write(data, position);
    return position;
  }

  size(): number {
    this.#assertOpen();
    return this.#trackedSize ?? fs.fstatSync(this.#fd).size;
  }

  truncate(size: number): void {
    this.#assertOpen();
    fs.ftruncateSync(this.#fd, size);
    // Stryker disable next-line ConditionalExpression: ftruncate through a read-only handle fails before this line
    if (this.#trackedSize !== undefined) this.#trackedSize = size;
  }

  sync(options?: { readonly inThread?: boolean }): Promise<void> {
    try {
      this.#assertOpen();
      // In the calling thread: no pool thread to wake and no event-loop callback to wait
      // for, as better-sqlite3 fsyncs. The descriptor cannot be closed under it.
      // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement,BooleanLiteral: which thread waits for the fsync is not observable by a caller (the simulated disk's tests hold what in-thread promises)
      if (options?.inThread === true) {
        fs.fsyncSync(this.#fd);
        return Promise.resolve();
      }
    } catch (error) {
      return Promise.reject(error);
    }
    this.#pendingSyncs++;
    return new Promise<void>((resolve, reject) => {
      fs.fsync(this.#fd, (error) => {
        this.#pendingSyncs--;
        if (this.#closed && this.#pendingSyncs === 0) closeQuietly(this.#fd);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pendingSyncs === 0) fs.closeSync(this.#fd);
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw Object.assign(new Error(`EBADF: file handle is closed, ${this.path}`), { code: 'EBADF', path: this.path });
    }
  }
}

/** Closes a descriptor whose handle was already closed by the caller; nobody is left to hear an error. */
function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // The handle's owner called close() long ago; an error here has no one to report to.
  }
}

/** The default FileSystem: the machine's real disk through node:fs. */
export const nodeFileSystem: FileSystem = {
  open(path: string, mode: OpenMode): FileHandle {
    const fd = fs.openSync(path, openFlags[mode], 0o666);
    try {
      // Stryker disable next-line ConditionalExpression: a writable handle without a tracked size asks fstat each time, and gets the same size
      return new NodeFileHandle(path, fd, mode !== 'read');
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  },

  readFile(path: string): Uint8Array {
    return fs.readFileSync(path);
  },

  rename(from: string, to: string): void {
    fs.renameSync(from, to);
  },

  unlink(path: string): void {
    fs.unlinkSync(path);
  },

  mkdir(path: string): void {
    // One level at a time, not `recursive: true`: node's recursive mkdir reports a refusal
    // (EROFS on a read-only mount) as ENOENT, because it stats the path after the failure.
    const missing: string[] = [];
    for (let folder = resolve(path); ; folder = dirname(folder)) {
      const stats = fs.statSync(folder, { throwIfNoEntry: false });
      // Stryker disable next-line ConditionalExpression: going on past an existing folder only adds it to missing, and mkdir of an existing folder is accepted below
      if (stats?.isDirectory()) break;
      missing.push(folder);
      // A file in the way: let mkdir report it (EEXIST or ENOTDIR) as node would.
      // Stryker disable next-line ConditionalExpression,LogicalOperator: past a file in the way, its own mkdir still fails with EEXIST; the root is a folder and stops the loop above
      if (stats !== undefined || dirname(folder) === folder) break;
    }
    for (const folder of missing.reverse()) {
      try {
        fs.mkdirSync(folder);
      } catch (error) {
        // Created meanwhile by someone else: fine, as with `recursive`.
        if ((error as { code?: unknown }).code !== 'EEXIST' || !fs.statSync(folder).isDirectory()) throw error;
      }
    }
  },

  readdir(path: string): string[] {
    return fs.readdirSync(path).sort();
  },

  stat(path: string): FileStat | undefined {
    const stats = fs.statSync(path, { throwIfNoEntry: false });
    return stats === undefined ? undefined : { size: stats.size, isDirectory: stats.isDirectory() };
  },

  async syncDirectory(path: string): Promise<void> {
    // Windows cannot open a folder for fsync, and NTFS journals names itself.
    // Stryker disable next-line ConditionalExpression,StringLiteral: on the platforms the tests run on the folder is fsynced either way
    if (process.platform === 'win32') return;
    const handle = await fs.promises.open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
