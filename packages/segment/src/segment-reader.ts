/**
 * Reads one segment file with positional reads (no shared cursor, so any number of
 * readers and iterators use one handle at once). Opening reads and checks the header,
 * footer, filter and index; a get consults the Bloom filter, binary-searches the index,
 * and reads one data block from the block cache or the disk. Every block read from disk
 * has its CRC checked before anything in it is used, and only checked blocks enter the
 * cache, so a flipped byte is CORRUPTION with file and offset, never a wrong value.
 * Reads are synchronous (the file layer's reads are): a get answers without an await.
 */
import { compareKeys, type EncodedValue, type RangeOptions, rangeBounds, StowageError } from '@stowage/core';
import { crc32c, type FileHandle, type FileSystem, fileError, nodeFileSystem } from '@stowage/fs';
import { BlockCache } from './block-cache.js';
import { BlockDamage, type BlockHit, type DecodedBlock, decodeBlock, findInBlock } from './block-reader.js';
import { BloomFilter, keyHash } from './bloom-filter.js';
import type { EntryCursor } from './entry-cursor.js';
import { corruption, ORIGIN } from './errors.js';
import { ALL_KEYS, aboveUpper, belowLower, boundsOf, type KeyBounds } from './key-bounds.js';
import { DEFAULT_BLOCK_CACHE_BYTES } from './limits.js';
import {
  BLOCK_TRAILER_SIZE,
  checkFileHeader,
  decodeFooter,
  FOOTER_SIZE,
  FORMAT_VERSION,
  type Footer,
  HEADER_SIZE,
  KIND_BYTES,
  KIND_STRING,
  KIND_TOMBSTONE,
  readU64,
  readVarint,
  SEGMENT_MAGIC,
} from './segment-format.js';
import type { SegmentEntry } from './segment-writer.js';

/** What a lookup in one segment found: a value, a tombstone, or nothing. */
export const TOMBSTONE: unique symbol = Symbol('tombstone');
export type Lookup = EncodedValue | typeof TOMBSTONE | undefined;

export interface SegmentReaderOptions {
  readonly fs?: FileSystem;
  /** A block cache shared with other readers, or its size in bytes for a cache of its own (default 32 MiB). */
  readonly cache?: BlockCache | number;
}

/** Bounds of a scan: core's RangeOptions, the same bounds every backend honours. */
export type SegmentRange = RangeOptions;

let keyScratch = Buffer.allocUnsafe(1024);
const hit: BlockHit = { kind: 0, valueStart: 0, valueLength: 0 };

export class SegmentReader {
  readonly path: string;
  readonly footer: Footer;
  readonly cache: BlockCache;
  /** Cache id of data block 0 (block i is #firstBlockId + i). */
  readonly #firstBlockId: number;
  readonly #handle: FileHandle;
  readonly #filter: BloomFilter;
  /** The index: every data block's last key, file offset and content length. */
  readonly #indexKeys: string[];
  readonly #blockOffsets: Float64Array;
  readonly #blockLengths: Uint32Array;
  readonly fileSize: number;
  #closed = false;

  private constructor(path: string, handle: FileHandle, cache: BlockCache) {
    this.path = path;
    this.#handle = handle;
    this.cache = cache;
    this.fileSize = handle.size();
    if (this.fileSize < HEADER_SIZE + FOOTER_SIZE) throw corruption(path, 0, 'file too short for a segment');
    const header = this.#readRaw(0, HEADER_SIZE);
    const headerProblem = checkFileHeader(header, SEGMENT_MAGIC, FORMAT_VERSION, 'segment');
    if (headerProblem !== undefined) throw corruption(path, 0, headerProblem);
    const footerAt = this.fileSize - FOOTER_SIZE;
    const footer = decodeFooter(this.#readRaw(footerAt, FOOTER_SIZE));
    if (typeof footer === 'string') throw corruption(path, footerAt, footer);
    this.footer = footer;
    this.#filter = new BloomFilter(this.#readVerified(footer.filter.offset, footer.filter.length));
    const index = this.#readVerified(footer.index.offset, footer.index.length);
    const parsed = parseIndex(index, this.fileSize);
    if (typeof parsed === 'string') throw corruption(path, footer.index.offset, parsed);
    this.#indexKeys = parsed.keys;
    this.#blockOffsets = parsed.blockOffsets;
    this.#blockLengths = parsed.blockLengths;
    this.#firstBlockId = cache.reserve(parsed.keys.length);
  }

  /** Opens and checks a segment file (header, footer, filter and index). */
  static open(path: string, options: SegmentReaderOptions = {}): SegmentReader {
    const fs = options.fs ?? nodeFileSystem;
    const cache =
      options.cache instanceof BlockCache ? options.cache : new BlockCache(options.cache ?? DEFAULT_BLOCK_CACHE_BYTES);
    let handle: FileHandle;
    try {
      handle = fs.open(path, 'read');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT') {
        throw new StowageError('CORRUPTION', `segment file ${path} is missing`, { origin: ORIGIN, file: path });
      }
      throw fileError(error, { origin: ORIGIN, file: path, action: 'open' });
    }
    try {
      return new SegmentReader(path, handle, cache);
    } catch (error) {
      closeQuietly(handle);
      throw error;
    }
  }

  /** Entries in the file, tombstones included. */
  get entryCount(): number {
    return this.footer.entries;
  }

  get dataBlocks(): number {
    return this.#blockLengths.length;
  }

  /** Bytes of filter and index held in memory. */
  get residentBytes(): number {
    let keys = 0;
    for (const key of this.#indexKeys) keys += 16 + key.length * 2;
    return this.#filter.byteLength + keys + this.#blockLengths.length * 12;
  }

  get filterBytes(): number {
    return this.#filter.byteLength;
  }

  /** The value of `key`; undefined when absent (or deleted by a tombstone). Synchronous. */
  getSync(key: string): EncodedValue | undefined {
    const found = this.lookup(key, keyHash(key));
    return found === TOMBSTONE ? undefined : found;
  }

  get(key: string): Promise<EncodedValue | undefined> {
    try {
      return Promise.resolve(this.getSync(key));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The values of `keys`, in their order. The keys are visited in sorted order, so keys
   * sharing a data block cost one block read.
   */
  getMany(keys: readonly string[]): (EncodedValue | undefined)[] {
    const order = keys.map((_, i) => i).sort((a, b) => compareKeys(keys[a]!, keys[b]!));
    const values: (EncodedValue | undefined)[] = new Array(keys.length);
    let block: Buffer | undefined;
    let blockIndex = -1;
    for (const i of order) {
      const key = keys[i]!;
      if (!this.#filter.mayContain(keyHash(key))) continue;
      const index = this.#findBlock(key);
      if (index >= this.#blockLengths.length) continue;
      if (index !== blockIndex) {
        block = this.#block(index);
        blockIndex = index;
      }
      const found = this.#findIn(block!, encodeKey(key), index);
      values[i] = found === TOMBSTONE ? undefined : found;
    }
    return values;
  }

  /** Value, tombstone, or undefined when this file says nothing about `key`. */
  lookup(key: string, hash: number): Lookup {
    if (!this.#filter.mayContain(hash)) return undefined;
    const index = this.#findBlock(key);
    if (index >= this.#blockLengths.length) return undefined;
    return this.#findIn(this.#block(index), encodeKey(key), index);
  }

  /** Entries in `range`, in key order (or reverse), tombstones skipped. */
  *entries(range: SegmentRange = {}): Generator<SegmentEntry> {
    const cursor = this.cursor(boundsOf(range), range.reverse === true);
    let left = range.limit ?? Number.POSITIVE_INFINITY;
    for (; cursor.valid && left > 0; cursor.next()) {
      if (cursor.kind === KIND_TOMBSTONE) continue;
      left--;
      yield [cursor.key, cursor.value()!];
    }
  }

  /** A cursor over the entries within `bounds`, tombstones included. */
  cursor(bounds: KeyBounds = ALL_KEYS, reverse = false): SegmentCursor {
    return new SegmentCursor(this, bounds, reverse);
  }

  /** Releases the file handle and the cached blocks. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.cache.forget(this.#firstBlockId, this.#blockLengths.length);
    closeQuietly(this.#handle);
  }

  // ---- internals shared with the cursor ----

  /** Index of the first block whose last key is >= `target`; the block count when none is. */
  #findBlock(key: string): number {
    let low = 0;
    let high = this.#blockLengths.length;
    const keys = this.#indexKeys;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareKeys(key, keys[mid]!) > 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Index of the block to start a scan at for `key`. */
  blockFor(key: string): number {
    return this.#findBlock(key);
  }

  /** The verified content of data block `index`, from the cache or the disk. */
  #block(index: number): Buffer {
    const id = this.#firstBlockId + index;
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    const block = this.#readVerified(this.#blockOffsets[index]!, this.#blockLengths[index]!);
    this.cache.set(id, block);
    return block;
  }

  decodedBlock(index: number): DecodedBlock {
    const block = this.#block(index);
    try {
      return decodeBlock(block);
    } catch (error) {
      throw this.#damage(error, index);
    }
  }

  #findIn(block: Buffer, target: Buffer, index: number): Lookup {
    try {
      if (!findInBlock(block, target, hit)) return undefined;
    } catch (error) {
      throw this.#damage(error, index);
    }
    return valueAt(block, hit.kind, hit.valueStart, hit.valueLength);
  }

  #damage(error: unknown, index: number): unknown {
    return error instanceof BlockDamage ? corruption(this.path, this.#blockOffsets[index]!, error.message) : error;
  }

  /** Reads a block's content and trailer and checks its CRC. */
  #readVerified(offset: number, length: number): Buffer {
    if (offset + length + BLOCK_TRAILER_SIZE > this.fileSize || offset < HEADER_SIZE) {
      throw corruption(this.path, offset, 'block handle points outside the file');
    }
    const bytes = this.#readRaw(offset, length + BLOCK_TRAILER_SIZE);
    const content = bytes.subarray(0, length);
    if (bytes.readUInt32LE(length) !== crc32c(content)) throw corruption(this.path, offset, 'block checksum mismatch');
    return content;
  }

  #readRaw(offset: number, length: number): Buffer {
    if (this.#closed) {
      throw new StowageError('STORE_CLOSED', `segment ${this.path} is closed`, { origin: ORIGIN, file: this.path });
    }
    const bytes = Buffer.allocUnsafe(length);
    let read: number;
    try {
      read = this.#handle.read(bytes, 0, length, offset);
    } catch (error) {
      throw fileError(error, { origin: ORIGIN, file: this.path, action: 'read' });
    }
    if (read < length) throw corruption(this.path, offset + read, 'file ends inside a block');
    return bytes;
  }
}

/** A cursor over one segment's entries within bounds, forward or reverse. */
export class SegmentCursor implements EntryCursor {
  readonly #reader: SegmentReader;
  readonly #bounds: KeyBounds;
  readonly #reverse: boolean;
  #blockIndex: number;
  #block: DecodedBlock | undefined;
  #position = 0;
  valid = false;
  key = '';
  kind = 0;

  constructor(reader: SegmentReader, bounds: KeyBounds, reverse: boolean) {
    this.#reader = reader;
    this.#bounds = bounds;
    this.#reverse = reverse;
    const blocks = reader.dataBlocks;
    if (!reverse) {
      this.#blockIndex = bounds.lower === undefined ? 0 : reader.blockFor(bounds.lower);
      if (this.#blockIndex >= blocks) return;
      this.#load();
      const keys = this.#block!.keys;
      const [position] = rangeBounds(keys, bounds.range);
      this.#position = position;
      if (position >= keys.length) this.#nextBlock();
      else this.#settle();
    } else {
      if (blocks === 0) {
        this.#blockIndex = -1;
        return;
      }
      this.#blockIndex = bounds.upper === undefined ? blocks - 1 : Math.min(reader.blockFor(bounds.upper), blocks - 1);
      this.#load();
      const position = rangeBounds(this.#block!.keys, bounds.range)[1] - 1;
      this.#position = position;
      if (position < 0) this.#nextBlock();
      else this.#settle();
    }
  }

  /** The value at the cursor; undefined for a tombstone. */
  value(): EncodedValue | undefined {
    const block = this.#block!;
    const found = valueAt(
      block.content,
      this.kind,
      block.valueStarts[this.#position]!,
      block.valueLengths[this.#position]!,
    );
    return found === TOMBSTONE ? undefined : found;
  }

  next(): void {
    if (!this.valid) return;
    const past = this.#reverse ? --this.#position < 0 : ++this.#position >= this.#block!.keys.length;
    if (past) this.#nextBlock();
    else this.#settle();
  }

  #load(): void {
    this.#block = this.#reader.decodedBlock(this.#blockIndex);
  }

  #nextBlock(): void {
    this.#blockIndex += this.#reverse ? -1 : 1;
    if (this.#blockIndex < 0 || this.#blockIndex >= this.#reader.dataBlocks) {
      this.valid = false;
      this.#block = undefined;
      return;
    }
    this.#load();
    const count = this.#block!.keys.length;
    if (count === 0) {
      this.#nextBlock();
      return;
    }
    this.#position = this.#reverse ? count - 1 : 0;
    this.#settle();
  }

  /** Exposes the entry at the position, or ends at the far bound. */
  #settle(): void {
    const block = this.#block!;
    const key = block.keys[this.#position]!;
    if (this.#reverse ? belowLower(key, this.#bounds) : aboveUpper(key, this.#bounds)) {
      this.valid = false;
      this.#block = undefined;
      return;
    }
    this.valid = true;
    this.key = key;
    this.kind = block.kinds[this.#position]!;
  }
}

/** First position whose key is >= `key` (> when `after`). */

function valueAt(block: Buffer, kind: number, start: number, length: number): Lookup {
  if (kind === KIND_STRING) return block.toString('utf8', start, start + length);
  if (kind === KIND_BYTES) {
    const value = new Uint8Array(length);
    value.set(block.subarray(start, start + length));
    return value;
  }
  return TOMBSTONE;
}

/** The UTF-8 bytes of `key` in a scratch buffer (valid until the next call). */
function encodeKey(key: string): Buffer {
  if (key.length * 3 > keyScratch.length) keyScratch = Buffer.allocUnsafe(key.length * 3);
  const length = keyScratch.write(key, 0, 'utf8');
  return keyScratch.subarray(0, length);
}

interface ParsedIndex {
  readonly keys: string[];
  readonly blockOffsets: Float64Array;
  readonly blockLengths: Uint32Array;
}

function parseIndex(index: Buffer, fileSize: number): ParsedIndex | string {
  if (index.length < 4) return 'index block too short';
  const count = index.readUInt32LE(index.length - 4);
  const end = index.length - 4;
  if (count > end) return 'index block count is implausible';
  const keys: string[] = [];
  const blockOffsets = new Float64Array(count);
  const blockLengths = new Uint32Array(count);
  const cursor = { at: 0 };
  for (let i = 0; i < count; i++) {
    const length = readVarint(index, cursor, end);
    if (length < 0 || cursor.at + length + 12 > end) return 'index entry runs past the block';
    keys.push(index.toString('utf8', cursor.at, cursor.at + length));
    cursor.at += length;
    blockOffsets[i] = readU64(index, cursor.at);
    blockLengths[i] = index.readUInt32LE(cursor.at + 8);
    cursor.at += 12;
    if (blockOffsets[i]! + blockLengths[i]! + BLOCK_TRAILER_SIZE > fileSize) return 'index points past the file';
  }
  if (cursor.at !== end) return 'index block has trailing bytes';
  return { keys, blockOffsets, blockLengths };
}

function closeQuietly(handle: FileHandle): void {
  try {
    handle.close();
  } catch {
    // A handle a power cut killed holds nothing.
  }
}
