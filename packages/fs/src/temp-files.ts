/**
 * One naming scheme for every temp file Stowage writes: `.<target>.<pid>-<random>.tmp`,
 * next to the file it becomes (or, for the lock, the generation it claims). The pid in the
 * name lets a sweep tell debris from a file a live process is still writing: it removes a
 * temp file only when the process that made it is gone. A temp file of this process is
 * debris unless this process is writing it right now (a simulated power cut, or an
 * earlier process that had the same id, leaves such files behind).
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { errorCode } from './errors.js';
import type { FileSystem } from './file-system.js';
import { identityOf } from './file-system-identity.js';
import { processExists } from './process-liveness.js';

/** The suffix every temp file ends with, so engines can recognise leftovers. */
export const TEMP_SUFFIX = '.tmp';

const tempName = /^\.(.+)\.(\d+)-([0-9a-f]{12})\.tmp$/;
// The scheme before the pid was added (`.<target>.<12 hex>.tmp`): written only by the holder
// of a store's lock, so a later holder may remove it.
const legacyTempName = /^\.(.+)\.([0-9a-f]{12})\.tmp$/;

/** A fresh, unique temp name next to `path`: `.<name>.<pid>-<random>.tmp`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/** What a temp file's name says: the file it was for and the process that wrote it. */
export interface TempFileName {
  readonly target: string;
  /** Undefined for a name of the older scheme, which carried no pid. */
  readonly pid: number | undefined;
}

/** Parses a name of the temp scheme, or undefined when `name` is not a temp file. */
export function parseTempName(name: string): TempFileName | undefined {
  const match = tempName.exec(name);
  if (match !== null) return { target: match[1]!, pid: Number(match[2]) };
  const legacy = legacyTempName.exec(name);
  return legacy === null ? undefined : { target: legacy[1]!, pid: undefined };
}

/** Temp files this process is writing right now, per disk, so a sweep never takes them. */
const inFlight = new WeakMap<object, Set<string>>();

/** Marks `path` as being written by this process until the returned function is called. */
export function holdTempFile(fs: FileSystem, path: string): () => void {
  const disk = identityOf(fs);
  let paths = inFlight.get(disk);
  if (paths === undefined) {
    paths = new Set();
    inFlight.set(disk, paths);
  }
  const key = resolve(path);
  paths.add(key);
  return () => {
    paths.delete(key);
  };
}

/** True when the temp file named `name` in `dir` is debris: its writer is gone (or it predates the pid scheme). */
export function isAbandonedTemp(fs: FileSystem, dir: string, name: string): boolean {
  const parsed = parseTempName(name);
  if (parsed === undefined) return false;
  if (parsed.pid === undefined) return true;
  if (parsed.pid === process.pid) return !(inFlight.get(identityOf(fs))?.has(resolve(dir, name)) ?? false);
  return !processExists(parsed.pid);
}

export interface SweepOptions {
  /** Only temp files whose target name starts with this, e.g. `store.csv` (default: every temp file). */
  readonly prefix?: string;
}

/**
 * Removes the temp files in `dir` whose writer is gone, and returns their names. Temp files
 * of live processes (a rival opener's lock claim, another store's atomic write) stay.
 * A missing folder has none. Errors other than a file already gone are thrown as node's.
 */
export function sweepTempFiles(fs: FileSystem, dir: string, options: SweepOptions = {}): string[] {
  let names: string[];
  try {
    names = fs.readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const parsed = parseTempName(name);
    if (parsed === undefined) continue;
    if (options.prefix !== undefined && !parsed.target.startsWith(options.prefix)) continue;
    if (!isAbandonedTemp(fs, dir, name)) continue;
    try {
      fs.unlink(join(dir, name));
      removed.push(name);
    } catch (error) {
      // Another sweeper got there first.
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
  return removed;
}
