/** An open file on the simulated disk; it dies with the power. */
import type { DiskOperation } from './disk-faults.js';
import { diskError } from './disk-faults.js';
import type { FileHandle } from './file-system.js';
import type { SimulatedFile } from './simulated-file.js';

/** What a handle needs from the disk, bound to the power cycle it was opened in. */
export interface HandleHost {
  /** Counts the call, and throws if the power was cut since, or a fault is due. */
  enter(operation: DiskOperation, path: string): void;
  /** Throws if the power was cut since the handle was opened (no call counted). */
  assertAlive(path: string): void;
  /** Runs `work` a moment later, as fsync completes, unless the power is cut first. */
  later(operation: DiskOperation, path: string, work: () => void): Promise<void>;
}

export class SimulatedHandle implements FileHandle {
  readonly path: string;
  readonly #file: SimulatedFile;
  readonly #host: HandleHost;
  readonly #writable: boolean;
  #closed = false;

  constructor(path: string, file: SimulatedFile, host: HandleHost, writable: boolean) {
    this.path = path;
    this.#file = file;
    this.#host = host;
    this.#writable = writable;
  }

  read(buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.#enter('read');
    return this.#file.read(buffer, offset, length, position);
  }

  write(data: Uint8Array, position: number): void {
    this.#enterWrite('write');
    this.#file.write(data, position);
  }

  append(data: Uint8Array): number {
    this.#enterWrite('append');
    const position = this.#file.size;
    this.#file.write(data, position);
    return position;
  }

  size(): number {
    this.#assertOpen();
    this.#host.assertAlive(this.path);
    return this.#file.size;
  }

  truncate(size: number): void {
    this.#enterWrite('truncate');
    this.#file.truncate(size);
  }

  sync(options?: { readonly inThread?: boolean }): Promise<void> {
    try {
      this.#enter('sync');
    } catch (error) {
      return Promise.reject(error);
    }
    // fsync covers what was written before it was called; later writes wait for the next.
    const covered = this.#file.pending.length;
    if (options?.inThread === true) {
      // In the calling thread nothing else runs until it returns: no call can come between
      // the fsync and its completion, and a power cut can only come before (failing the
      // call above) or after it.
      this.#file.settle(covered);
      return Promise.resolve();
    }
    return this.#host.later('sync', this.path, () => this.#file.settle(covered));
  }

  close(): void {
    // Stryker disable next-line ConditionalExpression: closing again sets the same flag
    if (this.#closed) return;
    this.#closed = true;
  }

  #enter(operation: DiskOperation): void {
    this.#assertOpen();
    this.#host.enter(operation, this.path);
  }

  #enterWrite(operation: DiskOperation): void {
    this.#enter(operation);
    if (!this.#writable) throw diskError('EBADF', 'bad file descriptor', operation, this.path);
  }

  #assertOpen(): void {
    if (this.#closed) throw diskError('EBADF', 'bad file descriptor (handle closed)', 'fd', this.path);
  }
}
