/**
 * Several FileSystem objects may show one disk: each mount of a simulated disk is its own
 * object, and tests wrap the real one to count or fail calls. Process-wide state about a
 * disk, such as the table of held locks, is keyed by the object under this symbol when a
 * FileSystem carries one (every simulated disk and its mounts do), and otherwise by one
 * shared object standing for the machine's real disk: a wrapper of nodeFileSystem then
 * shares the table of the real disk, so two openers in one process can never both hold
 * a lock. (A wrapper of a simulated disk should spread the original, `{ ...disk, ... }`,
 * or copy this symbol, to keep its identity.)
 */
import type { FileSystem } from './file-system.js';

// Stryker disable next-line StringLiteral: any registry key gives two copies of this module the same symbol; the name only avoids a clash with other libraries
export const fileSystemIdentity: unique symbol = Symbol.for('@stowage/fs/identity');

const realDisk = {};

/** The object that stands for the disk behind `fs`. */
export function identityOf(fs: FileSystem): object {
  const identity = (fs as { [fileSystemIdentity]?: unknown })[fileSystemIdentity];
  return typeof identity === 'object' && identity !== null ? identity : realDisk;
}
