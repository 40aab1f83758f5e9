/**
 * The files of a lock on disk. A lock at `<dir>/<name>` is a series of generation files
 * `<name>.1`, `<name>.2`, ... each created exactly once (`createNew`) and never rewritten,
 * holding who took it (`held`) or that its holder let go (`free`). Before creating a
 * generation, its creator makes a claim file `.<name>.<g>.<pid>-<random>.tmp` (the shared
 * temp naming scheme), so a generation whose content is not yet written can be traced to
 * the processes that may be writing it. See "Why the lock is safe" in the README.
 */
import { basename, dirname } from 'node:path';
import { errorCode } from './errors.js';
import type { FileSystem } from './file-system.js';
import { parseTempName } from './temp-files.js';

/** What a lock file says about its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly token: string;
}

/** The content of one generation. */
export type GenerationContent = { readonly state: 'held'; readonly holder: LockHolder } | { readonly state: 'free' };

/** A lock's files as listed at one moment. */
export interface LockListing {
  /** Generation numbers present, ascending. */
  readonly generations: readonly number[];
  /** Pids of the claim files, per generation. */
  readonly claims: ReadonlyMap<number, readonly number[]>;
  /** Temp files of the lock format before generations (`<name>.<32 hex>.tmp`). */
  readonly legacyTemps: readonly string[];
}

export function generationPath(path: string, generation: number): string {
  return `${path}.${generation}`;
}

export function listLock(fs: FileSystem, path: string): LockListing {
  const name = basename(path);
  const generations: number[] = [];
  const claims = new Map<number, number[]>();
  const legacyTemps: string[] = [];
  const ownPattern = new RegExp(`^${escapeRegExp(name)}\\.([1-9][0-9]*)$`);
  const legacyPattern = new RegExp(`^${escapeRegExp(name)}\\.[0-9a-f]{32}\\.tmp$`);
  for (const entry of fs.readdir(dirname(path))) {
    const generation = ownPattern.exec(entry);
    if (generation !== null) {
      generations.push(Number(generation[1]));
      continue;
    }
    if (legacyPattern.test(entry)) {
      legacyTemps.push(entry);
      continue;
    }
    const temp = parseTempName(entry);
    const claimed = temp === undefined ? null : ownPattern.exec(temp.target);
    if (temp?.pid !== undefined && claimed !== null) {
      const number = Number(claimed[1]);
      claims.set(number, [...(claims.get(number) ?? []), temp.pid]);
    }
  }
  generations.sort((a, b) => a - b);
  return { generations, claims, legacyTemps };
}

/** The content of generation `generation`; `missing` when it was removed since listing, `unreadable` when not (yet) whole. */
export function readGeneration(
  fs: FileSystem,
  path: string,
  generation: number,
): GenerationContent | 'missing' | 'unreadable' {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFile(generationPath(path, generation));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'missing';
    throw error;
  }
  const parsed = parseContent(bytes);
  if (parsed === undefined) return 'unreadable';
  if (parsed.state === 'free') return { state: 'free' };
  const holder = toHolder(parsed);
  return holder === undefined ? 'unreadable' : { state: 'held', holder };
}

export function encodeContent(state: 'held' | 'free', holder: LockHolder): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify({ ...holder, state })}\n`);
}

/** A lock file of the format before generations: `{ pid, hostname, token }` at the lock's own path. */
export function parseLegacy(bytes: Uint8Array): LockHolder | undefined {
  const parsed = parseContent(bytes);
  return parsed === undefined ? undefined : toHolder(parsed);
}

function parseContent(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    // Stryker disable next-line ConditionalExpression: a number or string read as a record has no `state`, and is unreadable either way
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toHolder(parsed: Record<string, unknown>): LockHolder | undefined {
  const { pid, hostname, token } = parsed;
  if (typeof pid !== 'number' || typeof hostname !== 'string' || typeof token !== 'string') return undefined;
  return { pid, hostname, token };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
