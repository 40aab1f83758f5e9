/** Temp folders for the package's own tests: the kit's tempDir, removed after each test file. */
import { tempDir as kitTempDir } from '@stowage/conformance';

/** A new empty folder on each call. */
export const tempDir: () => string = kitTempDir('stowage-segment');

/** A key that sorts by its number: k000042. */
export function keyOf(n: number, width = 6): string {
  return `k${String(n).padStart(width, '0')}`;
}
