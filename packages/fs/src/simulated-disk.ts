/**
 * A disk in memory that can lose power. Every file keeps what was fsynced apart from what
 * was written since, and every name (create, rename, unlink, mkdir) stays volatile until
 * its folder is fsynced. `powerCut()` then drops, keeps a prefix of, or tears what was
 * volatile, choosing from a seed so a failing case replays exactly. Handles and mounts
 * from before a cut are dead: every call on them throws, as the process that held them
 * would be gone.
 */
import { posix } from 'node:path';
import { DiskFaults, type DiskOperation, diskError, type FaultCode, type FaultOptions } from './disk-faults.js';
import type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system.js';
import { fileSystemIdentity } from './file-system-identity.js';
import { createRandom, type Random } from './prng.js';
import { SimulatedFile } from './simulated-file.js';
import { type HandleHost, SimulatedHandle } from './simulated-handle.js';
import { type Entry, SimulatedNamespace } from './simulated-namespace.js';

/**
 * What a power cut does with volatile state:
 * - `lose-all`: every write and name change since the last fsync is gone;
 * - `keep-prefix`: each file keeps a random prefix of its unsynced writes (in write order),
 *   each unsynced name change is kept or lost at random;
 * - `tear`: like `keep-prefix`, and the first write a file loses is cut at a random byte,
 *   the rest of it missing or (as with delayed allocation) reading as zeros.
 */
export type PowerCutMode = 'lose-all' | 'keep-prefix' | 'tear';

export interface SimulatedDiskOptions {
  /** Seeds every random choice of power cuts; default 1. */
  readonly seed?: number;
}

/** What one power cut did, for messages. */
export interface PowerCutReport {
  readonly mode: PowerCutMode;
  /** The number of this cut on this disk, from 1. */
  readonly cut: number;
  /** Unsynced data operations (writes, truncates) over all files, and how many survived whole. */
  readonly pendingWrites: number;
  readonly keptWrites: number;
  /** Writes that survived torn. */
  readonly tornWrites: number;
  /** Unsynced name changes, and how many survived. */
  readonly pendingNameChanges: number;
  readonly keptNameChanges: number;
}

const POWER_CUT_MODES: readonly PowerCutMode[] = ['lose-all', 'keep-prefix', 'keep-prefix', 'tear', 'tear'];

export class SimulatedDisk implements FileSystem {
  readonly [fileSystemIdentity] = this;
  readonly seed: number;
  readonly #random: Random;
  readonly #namespace = new SimulatedNamespace();
  readonly #faults = new DiskFaults();
  /** Bumped by every power cut; handles and mounts of an older generation are dead. */
  #generation = 0;
  #calls = 0;
  #cutAt: number | undefined;
  #cuts: PowerCutReport[] = [];
  #readOnly = false;

  constructor(options: SimulatedDiskOptions = {}) {
    this.seed = options.seed ?? 1;
    this.#random = createRandom(this.seed);
  }

  /** Calls made on the disk so far (every FileSystem and FileHandle call but `size`). */
  get calls(): number {
    return this.#calls;
  }

  /** Every power cut so far, oldest first. */
  get cuts(): readonly PowerCutReport[] {
    return this.#cuts;
  }

  /** How many calls an injected fault has failed so far. */
  get faultHits(): number {
    return this.#faults.hits;
  }

  /**
   * A view of the disk that lives until the next power cut: hand it to an engine, and
   * after a cut nothing the old engine still runs (timers, pending writes) can touch the
   * disk again. The disk itself always serves the current power cycle.
   */
  mount(): FileSystem {
    const generation = this.#generation;
    const view: FileSystem & { [fileSystemIdentity]: SimulatedDisk } = {
      [fileSystemIdentity]: this,
      open: (path, mode) => this.#open(generation, path, mode),
      readFile: (path) => this.#readFile(generation, path),
      rename: (from, to) => this.#rename(generation, from, to),
      unlink: (path) => this.#unlink(generation, path),
      mkdir: (path) => this.#mkdir(generation, path),
      readdir: (path) => this.#readdir(generation, path),
      stat: (path) => this.#stat(generation, path),
      syncDirectory: (path) => this.#syncDirectory(generation, path),
    };
    return view;
  }

  // ---- FileSystem, on the current power cycle ----
  open(path: string, mode: OpenMode): FileHandle {
    return this.#open(this.#generation, path, mode);
  }
  readFile(path: string): Uint8Array {
    return this.#readFile(this.#generation, path);
  }
  rename(from: string, to: string): void {
    this.#rename(this.#generation, from, to);
  }
  unlink(path: string): void {
    this.#unlink(this.#generation, path);
  }
  mkdir(path: string): void {
    this.#mkdir(this.#generation, path);
  }
  readdir(path: string): string[] {
    return this.#readdir(this.#generation, path);
  }
  stat(path: string): FileStat | undefined {
    return this.#stat(this.#generation, path);
  }
  syncDirectory(path: string): Promise<void> {
    return this.#syncDirectory(this.#generation, path);
  }

  // ---- power ----

  /** Cuts the power now: volatile state is dropped, kept or torn (see PowerCutMode); power returns at once. */
  powerCut(options: { readonly mode?: PowerCutMode } = {}): PowerCutReport {
    const random = this.#random;
    const mode = options.mode ?? random.pick(POWER_CUT_MODES);
    // Stryker disable next-line UpdateOperator: any change of generation kills the old handles; counting down never repeats a value either
    this.#generation++;
    this.#cutAt = undefined;
    let pendingWrites = 0;
    let keptWrites = 0;
    let tornWrites = 0;
    for (const file of this.#namespace.files()) {
      const pending = file.pending.length;
      pendingWrites += pending;
      // Stryker disable next-line ConditionalExpression: a file with nothing pending restarts from its durable bytes whichever way (kept 0, nothing to tear)
      if (pending === 0 || mode === 'lose-all') {
        file.restart(0);
        continue;
      }
      const kept = mode === 'tear' ? random.int(pending) : random.int(pending + 1);
      const next = file.pending[kept];
      keptWrites += kept;
      // Stryker disable next-line OptionalChaining: a tear keeps fewer than all pending operations, so `next` is always one
      if (mode === 'tear' && next?.kind === 'write' && next.data.byteLength > 0) {
        tornWrites++;
        file.restart(kept, { bytes: random.int(next.data.byteLength), zeroFill: random.chance(0.5) });
      } else {
        file.restart(kept);
      }
    }
    const pendingNameChanges = this.#namespace.pending.length;
    const keptNameChanges = this.#namespace.restart(() => mode !== 'lose-all' && random.chance(0.5));
    const report: PowerCutReport = {
      mode,
      cut: this.#cuts.length + 1,
      pendingWrites,
      keptWrites,
      tornWrites,
      pendingNameChanges,
      keptNameChanges,
    };
    this.#cuts.push(report);
    return report;
  }

  /** Cuts the power just before the `calls`-th call from now (1 = the next call), which then fails. */
  cutAfter(calls: number): void {
    if (!(Number.isInteger(calls) && calls > 0)) throw new RangeError(`calls must be a positive integer, got ${calls}`);
    this.#cutAt = this.#calls + calls;
  }

  /** Cancels a cut scheduled by `cutAfter`. */
  cancelCut(): void {
    this.#cutAt = undefined;
  }

  // ---- faults ----

  /** The next matching call (or `times` of them, or every one until `clearFaults`) fails with `code`, changing nothing. */
  failNext(operation: DiskOperation, code: FaultCode, options: FaultOptions = {}): void {
    this.#faults.add(operation, code, options);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /**
   * Mounts the disk read-only (or writable again), as `mount -o remount,ro` would: every
   * call that would change something — opening for writing, write, append, truncate,
   * rename, unlink, creating a folder — fails with EROFS; reads, fsync and `mkdir` of
   * folders that exist still work.
   */
  setReadOnly(readOnly: boolean): void {
    this.#readOnly = readOnly;
  }

  get readOnly(): boolean {
    return this.#readOnly;
  }

  // ---- inspection, for tests ----

  /** The content of `path` that would survive a power cut that loses everything volatile. */
  durableContent(path: string): Uint8Array | undefined {
    const entry = this.#namespace.getDurable(normalize(path));
    return entry?.kind === 'file' ? entry.file.durableBytes() : undefined;
  }

  /** The names in folder `path` that would survive such a cut. */
  durableNames(path: string): string[] {
    return this.#namespace.list(normalize(path), true);
  }

  // ---- the calls ----

  #enter(generation: number, operation: DiskOperation, paths: readonly string[]): void {
    // Every call passes its path (`paths[0] ?? ''` below only satisfies the type): the
    // fallback's mutants are marked, as they change nothing.
    // Stryker disable next-line LogicalOperator,StringLiteral: see above
    this.#assertAlive(generation, operation, paths[0] ?? '');
    this.#calls++;
    // Stryker disable next-line ConditionalExpression: with no cut scheduled, calls >= undefined is false anyway
    if (this.#cutAt !== undefined && this.#calls >= this.#cutAt) {
      this.powerCut();
      // Stryker disable next-line LogicalOperator,StringLiteral: see above
      this.#assertAlive(generation, operation, paths[0] ?? '');
    }
    this.#faults.check(operation, paths);
    if (this.#readOnly && changesDisk.has(operation)) {
      // Stryker disable next-line LogicalOperator,StringLiteral: see above
      throw diskError('EROFS', 'read-only file system', operation, paths[0] ?? '');
    }
  }

  #assertAlive(generation: number, operation: string, path: string): void {
    if (generation !== this.#generation) throw diskError('EIO', 'the power was cut', operation, path);
  }

  #host(generation: number): HandleHost {
    return {
      enter: (operation, path) => this.#enter(generation, operation, [path]),
      assertAlive: (path) => this.#assertAlive(generation, 'fstat', path),
      later: (operation, path, work) =>
        new Promise<void>((resolve, reject) => {
          // fsync takes a while: other calls (the next group commit) run meanwhile, and a
          // power cut before it completes means it never did.
          setImmediate(() => {
            try {
              this.#assertAlive(generation, operation, path);
              work();
              resolve();
            } catch (error) {
              reject(error);
            }
          });
        }),
    };
  }

  #open(generation: number, rawPath: string, mode: OpenMode): FileHandle {
    const path = normalize(rawPath);
    this.#enter(generation, 'open', [path]);
    let entry = this.#namespace.get(path);
    if (entry?.kind === 'dir') throw diskError('EISDIR', 'illegal operation on a directory', 'open', path);
    if (entry !== undefined && mode === 'createNew') throw diskError('EEXIST', 'file already exists', 'open', path);
    if (this.#readOnly && mode !== 'read') throw diskError('EROFS', 'read-only file system', 'open', path);
    if (entry === undefined) {
      if (mode === 'read' || mode === 'write') throw notFound('open', path);
      this.#assertFolder('open', path);
      entry = { kind: 'file', file: new SimulatedFile() };
      this.#namespace.change([[path, entry]]);
    }
    return new SimulatedHandle(path, entry.file, this.#host(generation), mode !== 'read');
  }

  #readFile(generation: number, rawPath: string): Uint8Array {
    const path = normalize(rawPath);
    this.#enter(generation, 'readFile', [path]);
    return this.#file('open', path).bytes();
  }

  #rename(generation: number, rawFrom: string, rawTo: string): void {
    const from = normalize(rawFrom);
    const to = normalize(rawTo);
    this.#enter(generation, 'rename', [from, to]);
    const entry = this.#namespace.get(from);
    if (entry === undefined) throw notFound('rename', from);
    // Folders are never renamed by the engines; refusing keeps the model small.
    if (entry.kind === 'dir') throw diskError('EISDIR', 'renaming folders is not simulated', 'rename', from);
    this.#assertFolder('rename', to);
    if (this.#namespace.get(to)?.kind === 'dir')
      throw diskError('EISDIR', 'illegal operation on a directory', 'rename', to);
    if (from === to) return;
    this.#namespace.change([
      [to, entry],
      [from, undefined],
    ]);
  }

  #unlink(generation: number, rawPath: string): void {
    const path = normalize(rawPath);
    this.#enter(generation, 'unlink', [path]);
    this.#file('unlink', path);
    this.#namespace.change([[path, undefined]]);
  }

  #mkdir(generation: number, rawPath: string): void {
    const path = normalize(rawPath);
    this.#enter(generation, 'mkdir', [path]);
    const missing: string[] = [];
    for (let folder = path; ; folder = posix.dirname(folder)) {
      const entry = this.#namespace.get(folder);
      if (entry?.kind === 'dir') break;
      if (entry !== undefined) throw diskError('EEXIST', 'file already exists', 'mkdir', folder);
      missing.unshift(folder);
    }
    if (missing.length > 0 && this.#readOnly) throw diskError('EROFS', 'read-only file system', 'mkdir', missing[0]!);
    for (const folder of missing) this.#namespace.change([[folder, { kind: 'dir' }]]);
  }

  #readdir(generation: number, rawPath: string): string[] {
    const path = normalize(rawPath);
    this.#enter(generation, 'readdir', [path]);
    this.#folder('scandir', path);
    return this.#namespace.list(path);
  }

  #stat(generation: number, rawPath: string): FileStat | undefined {
    const path = normalize(rawPath);
    this.#enter(generation, 'stat', [path]);
    const entry = this.#namespace.get(path);
    if (entry === undefined) return undefined;
    return entry.kind === 'dir' ? { size: 0, isDirectory: true } : { size: entry.file.size, isDirectory: false };
  }

  #syncDirectory(generation: number, rawPath: string): Promise<void> {
    const path = normalize(rawPath);
    try {
      this.#enter(generation, 'syncDirectory', [path]);
      this.#folder('open', path);
    } catch (error) {
      return Promise.reject(error);
    }
    const covered = this.#namespace.coveredBy(path);
    return this.#host(generation).later('syncDirectory', path, () => this.#namespace.settle(covered));
  }

  #file(syscall: string, path: string): SimulatedFile {
    const entry = this.#namespace.get(path);
    if (entry === undefined) throw notFound(syscall, path);
    if (entry.kind === 'dir') throw diskError('EISDIR', 'illegal operation on a directory', syscall, path);
    return entry.file;
  }

  #folder(syscall: string, path: string): void {
    const entry: Entry | undefined = this.#namespace.get(path);
    if (entry === undefined) throw notFound(syscall, path);
    if (entry.kind !== 'dir') throw diskError('ENOTDIR', 'not a directory', syscall, path);
  }

  /** The folder that would hold `path` must exist. */
  #assertFolder(syscall: string, path: string): void {
    const folder = posix.dirname(path);
    const entry = this.#namespace.get(folder);
    if (entry === undefined) throw notFound(syscall, path);
    if (entry.kind !== 'dir') throw diskError('ENOTDIR', 'not a directory', syscall, path);
  }
}

// Calls that change the disk, refused on a read-only mount (`open` and `mkdir` decide for themselves).
const changesDisk = new Set<DiskOperation>(['write', 'append', 'truncate', 'rename', 'unlink']);

/** Absolute, normalised posix paths: relative paths are taken from the root. */
function normalize(path: string): string {
  return posix.resolve('/', path);
}

function notFound(syscall: string, path: string): Error {
  return diskError('ENOENT', 'no such file or directory', syscall, path);
}
