/**
 * Builds one data block: entries with keys prefix-compressed against the previous key, a
 * full key every RESTART_INTERVAL entries (a restart point), then the restart offsets. The
 * writer reuses one builder for every block, so a block costs no new buffers.
 */
import { RESTART_INTERVAL } from './limits.js';
import { varintSize, writeVarint } from './segment-format.js';

export class BlockBuilder {
  #buffer: Buffer;
  #used = 0;
  #restarts: number[] = [];
  #sinceRestart = 0;
  #lastKey: Buffer;
  #lastKeyLength = 0;
  #count = 0;

  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafe(Math.max(capacity * 2, 256));
    this.#lastKey = Buffer.allocUnsafe(256);
  }

  get count(): number {
    return this.#count;
  }

  /** The block's size once finished. */
  get size(): number {
    return this.#used + 4 * this.#restarts.length + 4;
  }

  /** The last key added, valid until the next add. */
  lastKey(): Buffer {
    return this.#lastKey.subarray(0, this.#lastKeyLength);
  }

  /** Appends an entry; keys must come in ascending order. */
  add(key: Buffer, kind: number, value: string | Uint8Array | undefined, valueLength: number): void {
    let shared = 0;
    if (this.#sinceRestart >= RESTART_INTERVAL || this.#count === 0) {
      this.#restarts.push(this.#used);
      this.#sinceRestart = 0;
    } else {
      const limit = Math.min(key.length, this.#lastKeyLength);
      const last = this.#lastKey;
      while (shared < limit && key[shared] === last[shared]) shared++;
    }
    const unshared = key.length - shared;
    const need = varintSize(shared) + varintSize(unshared) + varintSize(valueLength) + 1 + unshared + valueLength;
    this.#reserve(need);
    const buffer = this.#buffer;
    let at = writeVarint(buffer, this.#used, shared);
    at = writeVarint(buffer, at, unshared);
    at = writeVarint(buffer, at, valueLength);
    buffer[at++] = kind;
    key.copy(buffer, at, shared);
    at += unshared;
    if (typeof value === 'string') at += buffer.write(value, at, valueLength, 'utf8');
    else if (value !== undefined) {
      buffer.set(value, at);
      at += valueLength;
    }
    this.#used = at;
    if (key.length > this.#lastKey.length) this.#lastKey = Buffer.allocUnsafe(key.length * 2);
    key.copy(this.#lastKey, 0);
    this.#lastKeyLength = key.length;
    this.#sinceRestart++;
    this.#count++;
  }

  /** The finished block content (valid until the next `reset`). */
  finish(): Buffer {
    this.#reserve(4 * this.#restarts.length + 4);
    let at = this.#used;
    for (const restart of this.#restarts) {
      this.#buffer.writeUInt32LE(restart, at);
      at += 4;
    }
    this.#buffer.writeUInt32LE(this.#restarts.length, at);
    return this.#buffer.subarray(0, at + 4);
  }

  /** Starts the next block (the last key stays, for the index). */
  reset(): void {
    this.#used = 0;
    this.#restarts = [];
    this.#sinceRestart = 0;
    this.#count = 0;
  }

  #reserve(bytes: number): void {
    if (this.#used + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#used + bytes));
    this.#buffer.copy(grown, 0, 0, this.#used);
    this.#buffer = grown;
  }
}
