/**
 * One file of the simulated disk (an inode: names point to it, handles hold it). It keeps
 * two layers: what was fsynced, and the writes since, in order, so a power cut can keep
 * any prefix of them or tear the first one it drops.
 */
import { ByteBuffer } from './byte-buffer.js';

export type DataOperation =
  | { readonly kind: 'write'; readonly position: number; readonly data: Uint8Array }
  | { readonly kind: 'truncate'; readonly size: number };

/** How the first lost write of a file survives a power cut: cut at a byte, the rest missing or zeros. */
export interface Tear {
  readonly bytes: number;
  readonly zeroFill: boolean;
}

export class SimulatedFile {
  /** What survives any power cut. */
  #durable = new ByteBuffer();
  /** What reads see: the durable layer plus every pending operation. */
  #current = new ByteBuffer();
  #pending: DataOperation[] = [];

  get size(): number {
    return this.#current.size;
  }

  /** Operations written since the last fsync, oldest first. */
  get pending(): readonly DataOperation[] {
    return this.#pending;
  }

  durableBytes(): Uint8Array {
    return this.#durable.bytes();
  }

  bytes(): Uint8Array {
    return this.#current.bytes();
  }

  read(target: Uint8Array, offset: number, length: number, position: number): number {
    return this.#current.read(target, offset, length, position);
  }

  write(data: Uint8Array, position: number): void {
    // A copy: the caller may reuse its buffer, the disk must keep what was written.
    const operation: DataOperation = { kind: 'write', position, data: data.slice() };
    apply(this.#current, operation);
    this.#pending.push(operation);
  }

  truncate(size: number): void {
    // Stryker disable next-line StringLiteral: anything but 'write' is applied as a truncate, and is never torn
    const operation: DataOperation = { kind: 'truncate', size };
    apply(this.#current, operation);
    this.#pending.push(operation);
  }

  /** Makes the oldest `count` pending operations durable (an fsync that covered them). */
  settle(count: number): void {
    for (const operation of this.#pending.splice(0, count)) apply(this.#durable, operation);
  }

  /** Power returns: the durable layer plus the first `kept` pending operations, and perhaps part of the next. */
  restart(kept: number, tear?: Tear): void {
    const survivor = this.#durable.clone();
    for (const operation of this.#pending.slice(0, kept)) apply(survivor, operation);
    const torn = this.#pending[kept];
    // Stryker disable next-line ConditionalExpression,OptionalChaining: the disk asks for a tear only when the next pending operation is a write
    if (tear !== undefined && torn?.kind === 'write') {
      survivor.write(torn.data.subarray(0, tear.bytes), torn.position);
      if (tear.zeroFill) survivor.write(new Uint8Array(torn.data.byteLength - tear.bytes), torn.position + tear.bytes);
    }
    this.#durable = survivor;
    this.#current = survivor.clone();
    this.#pending = [];
  }
}

function apply(buffer: ByteBuffer, operation: DataOperation): void {
  if (operation.kind === 'write') buffer.write(operation.data, operation.position);
  else buffer.truncate(operation.size);
}
