/**
 * Closing and removing when a failure is already being reported: these calls must not
 * replace the error that matters with their own.
 */
import type { FileHandle, FileSystem } from './file-system.js';

/** Closes `handle`, ignoring any error (a handle a power cut or a failed disk killed holds nothing). */
export function closeQuietly(handle: FileHandle | undefined): void {
  try {
    // Stryker disable next-line OptionalChaining: without it, undefined throws a TypeError that the catch swallows, the same no-op
    handle?.close();
  } catch {
    // Nothing left to release, and nobody to tell.
  }
}

/**
 * Removes `path`, ignoring any error (never created, already gone, or the disk failing —
 * then it is debris a later sweep removes). Returns whether it was removed.
 */
export function unlinkQuietly(fs: FileSystem, path: string): boolean {
  try {
    fs.unlink(path);
    return true;
  } catch {
    return false;
  }
}
