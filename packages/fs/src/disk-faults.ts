/**
 * Fault injection for the simulated disk: the next matching call (or every one, until
 * cleared) fails with EIO or ENOSPC as node would report it, having changed nothing.
 */

/** Every kind of call the simulated disk makes; faults and power-cut scheduling count these. */
export type DiskOperation =
  | 'open'
  | 'read'
  | 'write'
  | 'append'
  | 'truncate'
  | 'sync'
  | 'close'
  | 'readFile'
  | 'rename'
  | 'unlink'
  | 'mkdir'
  | 'readdir'
  | 'stat'
  | 'syncDirectory';

export type FaultCode = 'EIO' | 'ENOSPC';

export interface FaultOptions {
  /** How many matching calls fail: a count (default 1) or `'always'` until `clearFaults`. */
  readonly times?: number | 'always';
  /** Only calls on this path (or paths matching it); any path when omitted. */
  readonly path?: string | RegExp;
}

interface Fault {
  readonly operation: DiskOperation;
  readonly code: FaultCode;
  readonly path: string | RegExp | undefined;
  remaining: number | 'always';
}

// Stryker disable ObjectLiteral,StringLiteral: message wording only; callers read `code`
const messages: Record<FaultCode, string> = {
  EIO: 'i/o error',
  ENOSPC: 'no space left on device',
};
// Stryker restore ObjectLiteral,StringLiteral

/** An Error shaped like node's file errors: `code`, `syscall`, `path`. */
export function diskError(code: string, message: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${message}, ${syscall} '${path}' (simulated disk)`), {
    code,
    syscall,
    path,
  });
}

export class DiskFaults {
  #faults: Fault[] = [];
  #hits = 0;

  /** How many calls have failed by an injected fault so far. */
  get hits(): number {
    return this.#hits;
  }

  add(operation: DiskOperation, code: FaultCode, options: FaultOptions = {}): void {
    const times = options.times ?? 1;
    if (times !== 'always' && !(Number.isInteger(times) && times > 0)) {
      throw new RangeError(`times must be a positive integer or 'always', got ${String(times)}`);
    }
    this.#faults.push({ operation, code, path: options.path, remaining: times });
  }

  clear(): void {
    this.#faults = [];
  }

  /** Throws the fault that matches this call, if any, using it up. */
  check(operation: DiskOperation, paths: readonly string[]): void {
    const index = this.#faults.findIndex(
      (fault) =>
        (fault.operation === operation || fault.operation === familyOf[operation]) &&
        paths.some((path) => matches(fault.path, path)),
    );
    if (index < 0) return;
    const fault = this.#faults[index]!;
    // Stryker disable next-line ConditionalExpression: decrementing 'always' gives NaN, never 0, so an 'always' fault stays either way
    if (fault.remaining !== 'always' && --fault.remaining === 0) this.#faults.splice(index, 1);
    this.#hits++;
    // Stryker disable next-line StringLiteral: every caller passes at least one path
    throw diskError(fault.code, messages[fault.code], operation, paths[0] ?? '');
  }
}

/**
 * A fault on `write` also fails appends, and one on `read` also fails `readFile`: to the
 * disk they are the same request, whichever call the engine made.
 */
const familyOf: Partial<Record<DiskOperation, DiskOperation>> = {
  append: 'write',
  readFile: 'read',
};

function matches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}
