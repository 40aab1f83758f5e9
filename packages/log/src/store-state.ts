/**
 * Everything an open log store holds in memory, shared by the parts that read and
 * change it (the commit pipeline, recovery, merge, versions, verify). Reads are here:
 * a get is one positional read of exactly the value's bytes.
 */
import type { DurabilityLevel, EncodedValue } from '@stowage/core';
import type { FileLock, FileSystem } from '@stowage/fs';
import { closeQuietly } from '@stowage/fs';
import { type DataFile, dataFileName } from './data-files.js';
import { corruptionError } from './errors.js';
import { Keydir } from './keydir.js';
import { FLAG_STRING, RECORD_HEADER_SIZE, recordIntact } from './record-format.js';

/** Something open did to bring the files back to a consistent state. */
export interface RecoveryAction {
  readonly action:
    | 'truncated-tail'
    | 'rewrote-header'
    | 'removed-temp-file'
    | 'removed-orphan-hint'
    | 'ignored-hint'
    | 'finished-merge';
  readonly file: string;
  readonly offset?: number;
  /** Bytes removed, for `truncated-tail`. */
  readonly bytes?: number;
  readonly detail: string;
}

/** What the last merge did. */
export interface MergeReport {
  /** When it finished, ms since the epoch. */
  readonly finishedAt: number;
  readonly durationMs: number;
  /** Data files that were rewritten (and removed). */
  readonly filesMerged: number;
  /** Merged files written. */
  readonly filesWritten: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly recordsKept: number;
}

export interface StoreSettings {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly durability: DurabilityLevel;
  readonly maxFileSize: number;
  readonly keepVersions: number;
}

// Strings up to this size are read into one reused buffer and decoded from there.
// Stryker disable next-line ArithmeticOperator: a smaller buffer only sends more reads through a fresh buffer, with the same bytes
const SCRATCH_SIZE = 64 * 1024;

export class StoreState {
  readonly settings: StoreSettings;
  readonly keydir = new Keydir();
  readonly files = new Map<number, DataFile>();
  /** The data file appends go to; set by recovery. */
  active!: DataFile;
  nextFileId = 1;
  /** Sequence of the newest record in the files. */
  lastSequence = 0;
  /** Sequence of the newest record readers see (durable per the store's level): what a transaction snapshot takes. */
  visibleSequence = 0;
  /** While transactions are open: key → sequence of its newest write since the oldest of them began. */
  readonly recentWrites = new Map<string, number>();
  openTransactions = 0;
  readonly recovery: RecoveryAction[] = [];
  lastMerge: MergeReport | undefined;
  lock: FileLock | undefined;
  /**
   * Files the group commit in flight appended to or rotated away from. Their newest
   * records are not in the key directory yet, so a merge must not take them: it would
   * drop those records (and the tombstones among them) as dead and remove the file.
   */
  readonly writing = new Set<DataFile>();
  /** Files in use across an await (an fsync), with the number of users. */
  readonly #pins = new Map<DataFile, number>();
  /** Files a merge replaced while they were pinned: closed when the last user is done. */
  readonly #retired = new Set<DataFile>();
  readonly #scratch = Buffer.allocUnsafe(SCRATCH_SIZE);

  constructor(settings: StoreSettings) {
    this.settings = settings;
  }

  /**
   * Runs `use` on `file`'s handle, keeping the handle open until `use` settles even if a
   * merge retires the file meanwhile (a closed descriptor would fail an fsync with EBADF,
   * or worse, a reused one would sync another file).
   */
  async withFile<T>(file: DataFile, use: (file: DataFile) => Promise<T>): Promise<T> {
    this.#pins.set(file, (this.#pins.get(file) ?? 0) + 1);
    try {
      return await use(file);
    } finally {
      const users = this.#pins.get(file)! - 1;
      if (users > 0) this.#pins.set(file, users);
      else {
        this.#pins.delete(file);
        if (this.#retired.delete(file)) closeQuietly(file.handle);
      }
    }
  }

  /** Takes `file` out of the store; its handle closes now, or when its last user is done. */
  retire(file: DataFile): void {
    this.files.delete(file.id);
    if (this.#pins.has(file)) this.#retired.add(file);
    else closeQuietly(file.handle);
  }

  /** Closes every handle, retired ones included (the store is closing). */
  closeAll(): void {
    for (const file of this.files.values()) closeQuietly(file.handle);
    for (const file of this.#retired) closeQuietly(file.handle);
    this.#retired.clear();
  }

  /** The current value of `key`, or undefined. */
  get(key: string): EncodedValue | undefined {
    const keydir = this.keydir;
    const slot = keydir.slot(key);
    if (slot === undefined) return undefined;
    return this.readValue(
      key,
      keydir.file[slot]!,
      keydir.valueOffset[slot]!,
      keydir.valueLength[slot]!,
      keydir.flags[slot]!,
    );
  }

  /**
   * Reads the value of `key` stored at a known place: one positional read of the whole
   * record (header, key and value), checked against its CRC and against the lengths the
   * key directory expects, so a flipped byte or a short file is CORRUPTION naming the
   * file and the record's offset, never a wrong value.
   */
  readValue(key: string, fileId: number, valueOffset: number, length: number, flags: number): EncodedValue {
    const file = this.files.get(fileId);
    // Stryker disable next-line StringLiteral: an empty encoding name means utf8
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const recordAt = valueOffset - keyBytes - RECORD_HEADER_SIZE;
    if (file === undefined)
      throw corruptionError(dataFileName(fileId), recordAt, 'the key directory names a missing file');
    const size = RECORD_HEADER_SIZE + keyBytes + length;
    const record = size <= SCRATCH_SIZE ? this.#scratch : Buffer.allocUnsafeSlow(size);
    if (file.handle.read(record, 0, size, recordAt) !== size) {
      throw corruptionError(file.path, recordAt, 'the file ends before the record');
    }
    if (record.readUInt32LE(24) !== keyBytes || record.readUInt32LE(28) !== length || !recordIntact(record, 0, size)) {
      throw corruptionError(file.path, recordAt, 'record checksum mismatch');
    }
    const valueAt = RECORD_HEADER_SIZE + keyBytes;
    if ((flags & FLAG_STRING) !== 0) return record.toString('utf8', valueAt, valueAt + length);
    // A copy: the scratch buffer is reused by the next read.
    return size <= SCRATCH_SIZE
      ? new Uint8Array(record.subarray(valueAt, valueAt + length))
      : new Uint8Array(record.buffer, record.byteOffset + valueAt, length);
  }
}
