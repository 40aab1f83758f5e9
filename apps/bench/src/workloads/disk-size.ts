/**
 * Size on disk of a closed store: the blocks its files occupy (st_blocks × 512), like `du`.
 * Allocated blocks rather than apparent sizes, because lmdb's map file is sparse.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function diskSize(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += diskSize(path);
    else bytes += statSync(path).blocks * 512;
  }
  return bytes;
}
