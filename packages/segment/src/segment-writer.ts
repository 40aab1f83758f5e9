/**
 * Writes one segment file from entries given in ascending key order, in bounded memory:
 * one data block being built, a write buffer, the index (one entry per ~4 KiB block) and
 * a 32-bit hash per key for the Bloom filter. The file is written under a temp name,
 * fsynced, renamed into place and its folder fsynced, so a crash leaves either no
 * segment or a whole one.
 */
import { dirname } from 'node:path';
import { assertValidKey, compareKeys, type EncodedValue, StowageError } from '@stowage/core';
import {
  closeQuietly,
  crc32c,
  type FileHandle,
  type FileSystem,
  fileError,
  holdTempFile,
  nodeFileSystem,
  tempPathFor,
  unlinkQuietly,
} from '@stowage/fs';
import { BlockBuilder } from './block-builder.js';
import { buildFilter, keyHash } from './bloom-filter.js';
import { invalidConfig, ORIGIN } from './errors.js';
import { writeUnsorted } from './external-sort.js';
import {
  DEFAULT_BITS_PER_KEY,
  DEFAULT_BLOCK_SIZE,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  MAX_VALUE_BYTES,
} from './limits.js';
import {
  type BlockHandle,
  encodeFileHeader,
  encodeFooter,
  FORMAT_VERSION,
  KIND_BYTES,
  KIND_STRING,
  KIND_TOMBSTONE,
  SEGMENT_MAGIC,
  varintSize,
  writeU64,
  writeVarint,
} from './segment-format.js';

/** One entry of a segment: a key and its value. */
export type SegmentEntry = readonly [key: string, value: EncodedValue];

export interface SegmentWriterOptions {
  /** The file layer (default: the real disk). */
  readonly fs?: FileSystem;
  /** Target size of a data block in bytes (default 4096). */
  readonly blockSize?: number;
  /** Bloom filter bits per key (default 10, about 1% false positives; 0 for no filter bits). */
  readonly bitsPerKey?: number;
  /**
   * `SegmentWriter.write` only: accept entries in any order and sort them in bounded memory
   * (spilling sorted runs to temp files next to the target). Default false: unsorted input
   * is refused with INVALID_ARGUMENT.
   */
  readonly sort?: boolean;
  /** With `sort`: memory for gathering entries before a run is spilled (default 64 MiB). */
  readonly sortBufferBytes?: number;
}

/** What a finished segment holds. */
export interface SegmentInfo {
  readonly path: string;
  /** File size in bytes. */
  readonly size: number;
  /** Entries, tombstones included. */
  readonly entries: number;
  readonly tombstones: number;
  /** Smallest and largest key; undefined for an empty segment. */
  readonly smallest: string | undefined;
  readonly largest: string | undefined;
  readonly dataBlocks: number;
  readonly filterBytes: number;
}

const WRITE_BUFFER_BYTES = 256 * 1024;

export class SegmentWriter {
  readonly path: string;
  readonly #fs: FileSystem;
  readonly #temp: string;
  /** Ends the hold on the temp file (idempotent). */
  readonly #release: () => void;
  readonly #blockSize: number;
  readonly #bitsPerKey: number;
  #handle: FileHandle | undefined;
  readonly #block: BlockBuilder;
  #out: Buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  #outUsed = 0;
  /** File offset of the first byte of `#out`. */
  #written = 0;
  #index: Buffer = Buffer.allocUnsafe(4096);
  #indexUsed = 0;
  #blocks = 0;
  #hashes = new Uint32Array(1024);
  #entries = 0;
  #tombstones = 0;
  #smallest: string | undefined;
  #pendingKey: string | undefined;
  #pendingBytes: Buffer | undefined;
  #pendingValue: EncodedValue | undefined;
  #state: 'open' | 'finished' | 'failed' = 'open';

  constructor(path: string, options: SegmentWriterOptions = {}) {
    this.path = path;
    this.#fs = options.fs ?? nodeFileSystem;
    this.#blockSize = checkedInteger(options.blockSize ?? DEFAULT_BLOCK_SIZE, 'blockSize', 256, 1024 * 1024);
    this.#bitsPerKey = checkedInteger(options.bitsPerKey ?? DEFAULT_BITS_PER_KEY, 'bitsPerKey', 0, 64);
    this.#block = new BlockBuilder(this.#blockSize);
    this.#temp = tempPathFor(path);
    // A store opening in this process meanwhile must not sweep the temp file away.
    this.#release = holdTempFile(this.#fs, this.#temp);
    try {
      this.#handle = this.#fs.open(this.#temp, 'createNew');
    } catch (error) {
      this.#release();
      throw fileError(error, { origin: ORIGIN, file: this.#temp, action: 'create' });
    }
    this.#emit(encodeFileHeader(SEGMENT_MAGIC, FORMAT_VERSION));
  }

  /** Writes a whole segment from `entries` (ascending keys; of equal keys the last wins). */
  static async write(
    path: string,
    entries: AsyncIterable<SegmentEntry> | Iterable<SegmentEntry>,
    options: SegmentWriterOptions = {},
  ): Promise<SegmentInfo> {
    if (options.sort === true) {
      if (options.sortBufferBytes !== undefined)
        checkedInteger(options.sortBufferBytes, 'sortBufferBytes', 1024, 2 ** 40);
      return writeUnsorted(SegmentWriter, path, entries, options);
    }
    const writer = new SegmentWriter(path, options);
    try {
      for await (const [key, value] of entries) writer.add(key, value);
      return await writer.finish();
    } catch (error) {
      writer.abort();
      throw error;
    }
  }

  /** Bytes the file will hold so far (written plus buffered). */
  get bytesWritten(): number {
    return this.#written + this.#outUsed + this.#block.size;
  }

  /**
   * Adds an entry; keys must not decrease (an equal key replaces the previous entry: the
   * last wins). A missing value writes a tombstone, which the engine uses for deletions.
   * A key below the previous one throws INVALID_ARGUMENT and the writer is aborted.
   */
  add(key: string, value?: EncodedValue): void {
    if (this.#state !== 'open') throw this.#finishedError();
    assertValidKey(key, MAX_KEY_BYTES, ORIGIN);
    if (value !== undefined && typeof value !== 'string' && !(value instanceof Uint8Array)) {
      this.abort();
      throw new StowageError('INVALID_VALUE', 'a value must be a string or a Uint8Array', { origin: ORIGIN, key });
    }
    const pending = this.#pendingKey;
    if (pending !== undefined) {
      const order = compareKeys(key, pending);
      if (order === 0) {
        this.#pendingValue = value;
        return;
      }
      if (order < 0) {
        this.abort();
        throw new StowageError(
          'INVALID_ARGUMENT',
          `segment entries must come in ascending key order: ${JSON.stringify(key)} after ${JSON.stringify(pending)} (pass sort: true to SegmentWriter.write to sort them)`,
          { origin: ORIGIN, key },
        );
      }
      this.#append(this.#pendingBytes!, this.#pendingValue);
    }
    const bytes = Buffer.from(key, 'utf8');
    this.#pendingKey = key;
    this.#pendingBytes = bytes;
    this.#pendingValue = value;
  }

  /** Writes the filter, index and footer, then makes the file durable under its name. */
  async finish(): Promise<SegmentInfo> {
    if (this.#state !== 'open') throw this.#finishedError();
    const handle = this.#handle!;
    try {
      if (this.#pendingKey !== undefined) this.#append(this.#pendingBytes!, this.#pendingValue);
      if (this.#block.count > 0) this.#closeBlock();
      const largest = this.#pendingKey;
      const filterContent = buildFilter(this.#hashes, this.#entries, this.#bitsPerKey);
      const filter = this.#emitBlock(filterContent);
      const countAt = this.#reserveIndex(4);
      this.#index.writeUInt32LE(this.#blocks, countAt);
      const index = this.#emitBlock(this.#index.subarray(0, this.#indexUsed));
      this.#emit(encodeFooter({ index, filter, entries: this.#entries }));
      this.#drainOut();
      if (this.#written > MAX_SEGMENT_BYTES) {
        throw new StowageError('CAPACITY', `a segment file may hold at most ${MAX_SEGMENT_BYTES} bytes`, {
          origin: ORIGIN,
          file: this.path,
        });
      }
      await handle.sync();
      handle.close();
      this.#handle = undefined;
      this.#fs.rename(this.#temp, this.path);
      this.#state = 'finished';
      this.#release();
      await this.#fs.syncDirectory(dirname(this.path));
      return {
        path: this.path,
        size: this.#written,
        entries: this.#entries,
        tombstones: this.#tombstones,
        smallest: this.#smallest,
        largest,
        dataBlocks: this.#blocks,
        filterBytes: filterContent.length,
      };
    } catch (error) {
      if (this.#state === 'open') this.abort();
      throw fileError(error, { origin: ORIGIN, file: this.path, action: 'write the segment' });
    }
  }

  /** Gives up: closes and removes the temp file. Idempotent. */
  abort(): void {
    if (this.#state !== 'open') return;
    this.#state = 'failed';
    // A handle a power cut killed holds nothing; a temp file never created is nothing to undo.
    closeQuietly(this.#handle);
    this.#handle = undefined;
    unlinkQuietly(this.#fs, this.#temp);
    this.#release();
  }

  #append(key: Buffer, value: EncodedValue | undefined): void {
    const kind = value === undefined ? KIND_TOMBSTONE : typeof value === 'string' ? KIND_STRING : KIND_BYTES;
    const valueLength =
      value === undefined ? 0 : typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
    if (valueLength > MAX_VALUE_BYTES) {
      this.abort();
      throw new StowageError('INVALID_VALUE', `a value may be at most ${MAX_VALUE_BYTES} bytes, got ${valueLength}`, {
        origin: ORIGIN,
        ...(this.#pendingKey === undefined ? {} : { key: this.#pendingKey }),
      });
    }
    if (this.#block.count > 0 && this.#block.size + key.length + valueLength + 16 > this.#blockSize) {
      this.#closeBlock();
    }
    this.#block.add(key, kind, value, valueLength);
    if (this.#entries === this.#hashes.length) {
      const grown = new Uint32Array(this.#hashes.length * 2);
      grown.set(this.#hashes);
      this.#hashes = grown;
    }
    this.#hashes[this.#entries] = keyHash(this.#pendingKey!);
    if (this.#entries === 0) this.#smallest = this.#pendingKey;
    this.#entries++;
    if (kind === KIND_TOMBSTONE) this.#tombstones++;
  }

  #closeBlock(): void {
    const lastKey = this.#block.lastKey();
    const handle = this.#emitBlock(this.#block.finish());
    const at = this.#reserveIndex(varintSize(lastKey.length) + lastKey.length + 12);
    let cursor = writeVarint(this.#index, at, lastKey.length);
    lastKey.copy(this.#index, cursor);
    cursor += lastKey.length;
    writeU64(this.#index, cursor, handle.offset);
    this.#index.writeUInt32LE(handle.length, cursor + 8);
    this.#blocks++;
    this.#block.reset();
  }

  #reserveIndex(bytes: number): number {
    if (this.#indexUsed + bytes > this.#index.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#index.length * 2, this.#indexUsed + bytes));
      this.#index.copy(grown, 0, 0, this.#indexUsed);
      this.#index = grown;
    }
    const at = this.#indexUsed;
    this.#indexUsed += bytes;
    return at;
  }

  #emitBlock(content: Buffer): BlockHandle {
    const offset = this.#written + this.#outUsed;
    this.#emit(content);
    const trailer = Buffer.allocUnsafe(4);
    trailer.writeUInt32LE(crc32c(content), 0);
    this.#emit(trailer);
    return { offset, length: content.length };
  }

  #emit(bytes: Buffer): void {
    if (this.#outUsed + bytes.length > this.#out.length) {
      this.#drainOut();
      if (bytes.length > this.#out.length) {
        this.#handle!.append(bytes);
        this.#written += bytes.length;
        return;
      }
    }
    bytes.copy(this.#out, this.#outUsed);
    this.#outUsed += bytes.length;
  }

  #drainOut(): void {
    if (this.#outUsed === 0) return;
    this.#handle!.append(this.#out.subarray(0, this.#outUsed));
    this.#written += this.#outUsed;
    // A fresh buffer: a simulated disk may keep a reference to what was appended.
    this.#out = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
    this.#outUsed = 0;
  }

  #finishedError(): StowageError {
    return new StowageError('INVALID_ARGUMENT', `the segment writer of ${this.path} is already ${this.#state}`, {
      origin: ORIGIN,
      file: this.path,
    });
  }
}

function checkedInteger(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidConfig(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}
