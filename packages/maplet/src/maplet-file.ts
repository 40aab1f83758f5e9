/**
 * A Maplet kept on disk: the snapshot (`maplet.snap`) plus the change log since it
 * (`maplet.log`), in one folder guarded by a lock file. Every change is applied in memory,
 * appended to the log, then made durable as configured; a checkpoint writes a new
 * snapshot and starts an empty log (each atomically, tied together by an epoch).
 */
import { join } from 'node:path';
import { type DurabilityLevel, StowageError } from '@stowage/core';
import {
  errorCode,
  type FileHandle,
  type FileLock,
  type FileSystem,
  fileError,
  nodeFileSystem,
  openLockedStore,
  truncateFileDurable,
  writeFileAtomic,
} from '@stowage/fs';
import {
  CLEAR,
  DELETE,
  encodeLogHeader,
  encodeRecord,
  INSERT,
  RECORD_BYTES,
  type RecordType,
  scanLog,
} from './change-log.js';
import { hashed, hashKey } from './hash.js';
import { Maplet } from './maplet.js';
import { type MapletOptions, ORIGIN } from './maplet-config.js';
import { mergeOperators } from './merge-operators.js';
import { type DecodedSnapshot, decodeSnapshot, encodeSnapshot } from './snapshot-format.js';

export const SNAPSHOT_FILE = 'maplet.snap';
export const LOG_FILE = 'maplet.log';
export const LOCK_FILE = 'LOCK';

export interface MapletFileOptions {
  /** The folder; created when missing. */
  readonly dir: string;
  /** The file layer (default: the real disk). */
  readonly fs?: FileSystem;
  /** The maplet's options; on reopen the stored ones win, and given ones must agree. */
  readonly maplet?: MapletOptions;
  /** `batch` (default): writes arriving together share one fsync; `always`; `none`: no fsync. */
  readonly durability?: DurabilityLevel;
  /** Change-log records after which a write takes a checkpoint (default 1,000,000). */
  readonly checkpointRecords?: number;
}

export class MapletFile {
  readonly maplet: Maplet;
  readonly dir: string;
  readonly #fs: FileSystem;
  readonly #durability: DurabilityLevel;
  readonly #checkpointRecords: number;
  #lock: FileLock | undefined;
  #log: FileHandle;
  #epoch: number;
  #records: number;
  #waiting: Promise<void> | undefined;
  #syncChain: Promise<void> = Promise.resolve();
  #checkpointing: Promise<void> | undefined;
  #failure: unknown;
  readonly #record = new Uint8Array(RECORD_BYTES);

  private constructor(
    options: Required<Pick<MapletFileOptions, 'dir' | 'fs' | 'durability' | 'checkpointRecords'>>,
    maplet: Maplet,
    lock: FileLock,
    log: FileHandle,
    epoch: number,
    records: number,
  ) {
    this.dir = options.dir;
    this.#fs = options.fs;
    this.#durability = options.durability;
    this.#checkpointRecords = options.checkpointRecords;
    this.maplet = maplet;
    this.#lock = lock;
    this.#log = log;
    this.#epoch = epoch;
    this.#records = records;
  }

  /** Opens (or creates) the maplet in `options.dir`: snapshot loaded, change log replayed, torn tail cut. */
  static async open(options: MapletFileOptions): Promise<MapletFile> {
    const fs = options.fs ?? nodeFileSystem;
    const dir = options.dir;
    const durability = options.durability ?? 'batch';
    if (!['none', 'batch', 'always'].includes(durability)) {
      throw new StowageError('INVALID_CONFIG', 'durability must be none, batch or always', { origin: ORIGIN });
    }
    const checkpointRecords = options.checkpointRecords ?? 1_000_000;
    if (!(Number.isInteger(checkpointRecords) && checkpointRecords >= 1)) {
      throw new StowageError('INVALID_CONFIG', 'checkpointRecords must be a positive integer', { origin: ORIGIN });
    }
    const lockPath = join(dir, LOCK_FILE);
    try {
      // Folder (mkdir -p, durable), lock, sweep of dead writers' temp files; the lock is released if loading fails.
      return await openLockedStore(fs, dir, { origin: ORIGIN, lockPath }, async ({ lock }) => {
        const { maplet, epoch, records } = await load(fs, dir, options.maplet ?? {});
        const log = fs.open(join(dir, LOG_FILE), 'write');
        return new MapletFile({ dir, fs, durability, checkpointRecords }, maplet, lock, log, epoch, records);
      });
    } catch (error) {
      // A StowageError (LOCKED, CORRUPTION, IO) stays as it is.
      throw fileError(error, { origin: ORIGIN, file: dir, action: 'open' });
    }
  }

  /** Inserts (key, value) and resolves once the change is as durable as configured. */
  async insert(key: string | Uint8Array, value?: number): Promise<void> {
    if (this.#checkpointing) await this.#checkpointing;
    this.#assertHealthy();
    const maplet: Maplet = this.maplet;
    const v = value ?? (maplet.settings.merge.counting ? 1 : 0);
    maplet.checkValue(v);
    hashKey(key, maplet.settings.seed);
    const { hi, lo } = hashed; // read before inserting: a rebuild hashes other keys
    maplet.insertHash(hi, lo, v); // may throw CAPACITY: then nothing is logged
    try {
      this.#append(INSERT, hi, lo, v);
    } catch (error) {
      maplet.deleteHash(hi, lo, v); // undo exactly the pair just inserted
      // Stryker disable next-line StringLiteral: the action only words the error message
      throw this.#failed(error, 'append to');
    }
    await this.#afterWrite();
  }

  /** Removes one inserted pair; false (nothing logged) when no entry could hold it. */
  async delete(key: string | Uint8Array, value?: number): Promise<boolean> {
    if (this.#checkpointing) await this.#checkpointing;
    this.#assertHealthy();
    const maplet: Maplet = this.maplet;
    const v = value ?? (maplet.settings.merge.counting ? 1 : 0);
    maplet.checkValue(v);
    hashKey(key, maplet.settings.seed);
    const { hi, lo } = hashed;
    if (!maplet.deleteHash(hi, lo, v)) return false;
    try {
      this.#append(DELETE, hi, lo, v);
    } catch (error) {
      maplet.insertHash(hi, lo, v);
      // Stryker disable next-line StringLiteral: the action only words the error message
      throw this.#failed(error, 'append to');
    }
    await this.#afterWrite();
    return true;
  }

  async clear(): Promise<void> {
    if (this.#checkpointing) await this.#checkpointing;
    this.#assertHealthy();
    try {
      this.#append(CLEAR, 0, 0, 0);
    } catch (error) {
      // Stryker disable next-line StringLiteral: the action only words the error message
      throw this.#failed(error, 'append to');
    }
    this.maplet.clear();
    await this.#afterWrite();
  }

  /** Makes every change so far durable. */
  async flush(): Promise<void> {
    this.#assertHealthy();
    await this.#sync();
  }

  /** Writes a new snapshot and starts an empty change log. */
  checkpoint(): Promise<void> {
    if (this.#checkpointing) return this.#checkpointing;
    try {
      this.#assertHealthy();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#checkpoint();
  }

  #checkpoint(): Promise<void> {
    // The snapshot is encoded now, synchronously; writes wait until the new log is in place.
    const epoch = this.#epoch + 1;
    const snapshot = encodeSnapshot(this.maplet, epoch);
    const run = (async () => {
      try {
        await writeFileAtomic(this.#fs, join(this.dir, SNAPSHOT_FILE), snapshot);
        await writeFileAtomic(this.#fs, join(this.dir, LOG_FILE), encodeLogHeader(epoch));
        const old = this.#log;
        this.#log = this.#fs.open(join(this.dir, LOG_FILE), 'write');
        old.close();
        this.#epoch = epoch;
        this.#records = 0;
      } catch (error) {
        // Stryker disable next-line StringLiteral: the action only words the error message
        throw this.#failed(error, 'checkpoint');
      } finally {
        this.#checkpointing = undefined;
      }
    })();
    this.#checkpointing = run;
    return run;
  }

  /** Checkpoints (so the next open reads one snapshot) and releases the folder. */
  async close(): Promise<void> {
    const lock = this.#lock;
    if (lock === undefined) return;
    this.#lock = undefined;
    try {
      if (this.#checkpointing) await this.#checkpointing.catch(() => undefined);
      if (this.#failure === undefined && this.#records > 0) await this.#checkpoint();
      else if (this.#failure === undefined) await this.#sync();
    } finally {
      try {
        this.#log.close();
      } catch {
        // Closing cannot lose anything more; the error that matters was thrown above.
      }
      await lock.release();
    }
  }

  /** Change-log records since the snapshot. */
  get logRecords(): number {
    return this.#records;
  }

  #append(type: RecordType, hi: number, lo: number, value: number): void {
    encodeRecord(this.#record, 0, type, hi, lo, value);
    this.#log.append(this.#record);
    this.#records++;
  }

  async #afterWrite(): Promise<void> {
    if (this.#durability !== 'none') await this.#sync();
    if (this.#records >= this.#checkpointRecords && !this.#checkpointing) await this.checkpoint();
  }

  /** One fsync shared by every write appended before it starts (group commit). */
  #sync(): Promise<void> {
    if (this.#waiting) return this.#waiting;
    const log = this.#log;
    const next = this.#syncChain.then(async () => {
      this.#waiting = undefined;
      try {
        await log.sync();
      } catch (error) {
        // Stryker disable next-line StringLiteral: the action only words the error message
        throw this.#failed(error, 'fsync');
      }
    });
    this.#waiting = next;
    this.#syncChain = next.catch(() => undefined);
    return next;
  }

  /** After a failed write or fsync the log's state on disk is unknown: refuse further writes. */
  #failed(error: unknown, action: string): StowageError {
    const wrapped = StowageError.is(error)
      ? error
      : fileError(error, { origin: ORIGIN, file: join(this.dir, LOG_FILE), action });
    this.#failure ??= wrapped;
    return wrapped;
  }

  #assertHealthy(): void {
    if (this.#lock === undefined)
      throw new StowageError('STORE_CLOSED', 'the maplet file is closed', { origin: ORIGIN });
    if (this.#failure !== undefined) {
      throw new StowageError('IO', 'an earlier write to the change log failed; reopen the store', {
        origin: ORIGIN,
        cause: this.#failure,
      });
    }
  }
}

async function load(
  fs: FileSystem,
  dir: string,
  options: MapletOptions,
): Promise<{ maplet: Maplet; epoch: number; records: number }> {
  const snapshotPath = join(dir, SNAPSHOT_FILE);
  const logPath = join(dir, LOG_FILE);
  const snapshotBytes = readIfExists(fs, snapshotPath);
  const logBytes = readIfExists(fs, logPath);
  if (snapshotBytes === undefined) {
    if (logBytes !== undefined) {
      throw new StowageError('CORRUPTION', `${logPath} exists without its snapshot ${snapshotPath}`, {
        origin: ORIGIN,
        file: snapshotPath,
      });
    }
    const maplet = new Maplet(options);
    await writeFileAtomic(fs, snapshotPath, encodeSnapshot(maplet, 1));
    await writeFileAtomic(fs, logPath, encodeLogHeader(1));
    return { maplet, epoch: 1, records: 0 };
  }
  const snapshot = decodeSnapshot(snapshotBytes, snapshotPath);
  const maplet = restore(snapshot, options);
  const epoch = snapshot.meta.epoch;
  if (logBytes === undefined) {
    await writeFileAtomic(fs, logPath, encodeLogHeader(epoch));
    return { maplet, epoch, records: 0 };
  }
  const log = scanLog(logBytes, logPath);
  if (log.epoch > epoch) {
    throw new StowageError(
      'CORRUPTION',
      `${logPath} continues snapshot epoch ${log.epoch}, but the snapshot is epoch ${epoch}`,
      {
        origin: ORIGIN,
        file: logPath,
        offset: 12,
      },
    );
  }
  if (log.epoch < epoch) {
    // A checkpoint wrote the snapshot and died before replacing the log: its records are in the snapshot.
    await writeFileAtomic(fs, logPath, encodeLogHeader(epoch));
    return { maplet, epoch, records: 0 };
  }
  for (const record of log.records) {
    if (record.type === INSERT) maplet.insertHash(record.hi, record.lo, record.value);
    else if (record.type === DELETE) maplet.deleteHash(record.hi, record.lo, record.value);
    else maplet.clear();
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: cutting a log to its own length changes no byte (a skipped needless fsync)
  if (log.validLength < logBytes.length) await truncateFileDurable(fs, logPath, log.validLength);
  return { maplet, epoch, records: log.records.length };
}

/** The maplet of a snapshot; the given options must agree with what the snapshot says. */
function restore(snapshot: DecodedSnapshot, options: MapletOptions): Maplet {
  const { meta, seed, generations } = snapshot;
  const mismatch = (what: string, stored: unknown, given: unknown): never => {
    throw new StowageError(
      'INVALID_CONFIG',
      `the stored maplet has ${what} ${String(stored)}, the options say ${String(given)}`,
      {
        origin: ORIGIN,
      },
    );
  };
  if (options.valueBits !== undefined && options.valueBits !== meta.valueBits)
    // Stryker disable next-line StringLiteral: what `mismatch` names only words the INVALID_CONFIG message
    mismatch('valueBits', meta.valueBits, options.valueBits);
  // Stryker disable next-line StringLiteral: what `mismatch` names only words the INVALID_CONFIG message
  if (options.seed !== undefined && options.seed !== seed) mismatch('seed', seed, options.seed);
  const given = options.merge;
  const givenName = given === undefined ? undefined : typeof given === 'string' ? given : given.name;
  // Stryker disable next-line StringLiteral: what `mismatch` names only words the INVALID_CONFIG message
  if (givenName !== undefined && givenName !== meta.merge) mismatch('merge operator', meta.merge, givenName);
  let merge: MapletOptions['merge'];
  if (meta.merge in mergeOperators) merge = meta.merge as keyof typeof mergeOperators;
  else if (typeof given === 'object') merge = given;
  // Stryker disable next-line StringLiteral: what `mismatch` names only words the INVALID_CONFIG message
  else merge = mismatch('custom merge operator', meta.merge, 'none (pass the same operator object)');
  let growth: MapletOptions['growth'];
  if (meta.growth === 'rebuild') {
    growth = typeof options.growth === 'object' ? options.growth : mismatch('growth', 'rebuild', 'no rebuild source');
  } else growth = meta.growth;
  return new Maplet(
    {
      falsePositiveRate: meta.falsePositiveRate,
      capacity: meta.capacity,
      valueBits: meta.valueBits,
      merge,
      maxLoad: meta.maxLoad,
      growth,
      growthBits: meta.growthBits,
      seed,
    },
    { generations, counters: { ...meta.counters } },
  );
}

function readIfExists(fs: FileSystem, path: string): Uint8Array | undefined {
  try {
    return fs.readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fileError(error, { origin: ORIGIN, file: path, action: 'read' });
  }
}
