/**
 * Several FileSystem objects may show one disk (each mount of a simulated disk is its own
 * object). Process-wide state about a disk, such as the table of held locks, is keyed by
 * the object under this symbol when there is one, so all views of one disk share it.
 */
import type { FileSystem } from './file-system.js';

export const fileSystemIdentity: unique symbol = Symbol.for('@stowage/fs/identity');

/** The object that stands for the disk behind `fs`. */
export function identityOf(fs: FileSystem): object {
  const identity = (fs as { [fileSystemIdentity]?: unknown })[fileSystemIdentity];
  return typeof identity === 'object' && identity !== null ? identity : fs;
}
