/**
 * A tiny append-only log engine through @stowage/fs, used only to test the power-cut
 * section: correct by default, or with one deliberate defect the section must catch.
 * Each record is [payload length u32][crc32c u32][payload]; a payload is a batch of
 * operations, so a batch is atomic. Recovery keeps records up to the first bad one and
 * truncates the rest.
 */
import { join } from 'node:path';
import {
  AbstractBackend,
  type BatchOperation,
  compareKeys,
  type EncodedValue,
  inRange,
  type RangeOptions,
  type WriteOptions,
} from '@stowage/core';
import { acquireLock, crc32c, type FileHandle, type FileLock, type FileSystem, fileError } from '@stowage/fs';

export type ToyDefect =
  /** Acknowledges a write before its fsync completes. */
  | 'ack-before-sync'
  /** Replays records without checking their CRC. */
  | 'skip-checksum'
  /** Never fsyncs the folder after creating the log, so the log's name may vanish. */
  | 'no-directory-sync'
  /** Shows a write before it is durable and keeps showing it when it fails. */
  | 'visible-before-sync'
  /** `flush()` returns without fsync, so durability `none` loses flushed writes. */
  | 'flush-without-sync';

export interface ToyLogOptions {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly durability?: 'none' | 'always';
  readonly defect?: ToyDefect;
}

const ORIGIN = '@stowage/conformance (toy log)';
const HEADER = 8;

export class ToyLogBackend extends AbstractBackend {
  readonly name = 'toy-log';
  readonly #options: ToyLogOptions;
  readonly #data = new Map<string, EncodedValue>();
  #handle: FileHandle | undefined;
  #lock: FileLock | undefined;
  /** Writes run one after another: simple, and a failed one can be cut off the end. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ToyLogOptions) {
    super(ORIGIN, {
      persistent: true,
      orderedIteration: true,
      atomicBatch: true,
      durability: [options.durability ?? 'always'],
    });
    this.#options = options;
  }

  get #path(): string {
    return join(this.#options.dir, 'data.log');
  }

  protected async _open(): Promise<void> {
    const { fs, dir } = this.#options;
    fs.mkdir(dir);
    this.#lock = await acquireLock(fs, join(dir, 'LOCK'), { origin: ORIGIN });
    try {
      const existed = fs.stat(this.#path) !== undefined;
      const handle = fs.open(this.#path, 'create');
      this.#handle = handle;
      if (!existed) {
        await handle.sync();
        if (this.#options.defect !== 'no-directory-sync') await fs.syncDirectory(dir);
      }
      const good = this.#replay(handle);
      if (good < handle.size()) {
        handle.truncate(good);
        await handle.sync();
      }
    } catch (error) {
      this.#handle?.close();
      await this.#lock.release().catch(() => undefined);
      throw fileError(error, { origin: ORIGIN, file: this.#path, action: 'open' });
    }
  }

  protected async _close(): Promise<void> {
    await this.#queue.catch(() => undefined);
    try {
      await this.#handle?.sync();
      this.#handle?.close();
    } finally {
      await this.#lock?.release();
    }
  }

  protected async _get(key: string): Promise<EncodedValue | undefined> {
    return this.#data.get(key);
  }

  protected async _set(key: string, value: EncodedValue, _options: WriteOptions): Promise<void> {
    await this.#write([{ type: 'set', key, value }]);
  }

  protected async _delete(key: string): Promise<boolean> {
    const existed = this.#data.has(key);
    await this.#write([{ type: 'delete', key }]);
    return existed;
  }

  protected override async _apply(operations: readonly BatchOperation[]): Promise<void> {
    await this.#write(operations);
  }

  protected override async _flush(): Promise<void> {
    await this.#queue.catch(() => undefined);
    if (this.#options.defect !== 'flush-without-sync') await this.#handle?.sync();
  }

  protected async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    const keys = [...this.#data.keys()].filter((key) => inRange(key, range)).sort(compareKeys);
    if (range.reverse) keys.reverse();
    for (const key of keys) {
      const value = this.#data.get(key);
      if (value !== undefined) yield [key, value];
    }
  }

  #write(operations: readonly BatchOperation[]): Promise<void> {
    const result = this.#queue.catch(() => undefined).then(() => this.#append(operations));
    this.#queue = result;
    return result;
  }

  async #append(operations: readonly BatchOperation[]): Promise<void> {
    const handle = this.#handle!;
    const defect = this.#options.defect;
    const start = handle.size();
    if (defect === 'visible-before-sync') this.#applyToMemory(operations);
    try {
      handle.append(encodeRecord(operations));
      if (this.#options.durability !== 'none') {
        const syncing = handle.sync();
        if (defect === 'ack-before-sync') syncing.catch(() => undefined);
        else await syncing;
      }
    } catch (error) {
      if (defect !== 'visible-before-sync') {
        try {
          handle.truncate(start);
        } catch {
          // The store is failing anyway; recovery cuts a bad tail at the next open.
        }
      }
      throw fileError(error, { origin: ORIGIN, file: this.#path, action: 'append to' });
    }
    if (defect !== 'visible-before-sync') this.#applyToMemory(operations);
  }

  #applyToMemory(operations: readonly BatchOperation[]): void {
    for (const operation of operations) {
      if (operation.type === 'set') this.#data.set(operation.key, operation.value);
      else this.#data.delete(operation.key);
    }
  }

  /** Applies every good record; returns where the good records end. */
  #replay(handle: FileHandle): number {
    const size = handle.size();
    const bytes = new Uint8Array(size);
    handle.read(bytes, 0, size, 0);
    const view = new DataView(bytes.buffer);
    let offset = 0;
    while (offset + HEADER <= size) {
      const length = view.getUint32(offset);
      const checksum = view.getUint32(offset + 4);
      if (length === 0 || offset + HEADER + length > size) break;
      const payload = bytes.subarray(offset + HEADER, offset + HEADER + length);
      if (this.#options.defect !== 'skip-checksum' && crc32c(payload) !== checksum) break;
      const operations = decodePayload(payload);
      if (operations === undefined) break;
      this.#applyToMemory(operations);
      offset += HEADER + length;
    }
    return offset;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encodeRecord(operations: readonly BatchOperation[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const operation of operations) {
    const key = encoder.encode(operation.key);
    const kind = operation.type === 'delete' ? 0 : typeof operation.value === 'string' ? 1 : 2;
    const value =
      operation.type === 'delete'
        ? new Uint8Array(0)
        : typeof operation.value === 'string'
          ? encoder.encode(operation.value)
          : operation.value;
    const head = new Uint8Array(9);
    head[0] = kind;
    new DataView(head.buffer).setUint32(1, key.byteLength);
    new DataView(head.buffer).setUint32(5, value.byteLength);
    parts.push(head, key, value);
  }
  const payloadLength = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const record = new Uint8Array(HEADER + payloadLength);
  let offset = HEADER;
  for (const part of parts) {
    record.set(part, offset);
    offset += part.byteLength;
  }
  const payload = record.subarray(HEADER);
  new DataView(record.buffer).setUint32(0, payloadLength);
  new DataView(record.buffer).setUint32(4, crc32c(payload));
  return record;
}

function decodePayload(payload: Uint8Array): BatchOperation[] | undefined {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const operations: BatchOperation[] = [];
  let offset = 0;
  while (offset < payload.byteLength) {
    if (offset + 9 > payload.byteLength) return undefined;
    const kind = payload[offset]!;
    const keyLength = view.getUint32(offset + 1);
    const valueLength = view.getUint32(offset + 5);
    offset += 9;
    if (kind > 2 || offset + keyLength + valueLength > payload.byteLength) return undefined;
    const key = decoder.decode(payload.subarray(offset, offset + keyLength));
    offset += keyLength;
    const value = payload.slice(offset, offset + valueLength);
    offset += valueLength;
    if (kind === 0) operations.push({ type: 'delete', key });
    else operations.push({ type: 'set', key, value: kind === 1 ? decoder.decode(value) : value });
  }
  return operations;
}
