/** What `LogBackend.stats()` reports, computed from the key directory and the file sizes. */
import { basename } from 'node:path';
import type { FileKind } from './record-format.js';
import { FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import type { MergeReport, RecoveryAction, StoreState } from './store-state.js';

export interface FileStats {
  readonly file: string;
  readonly kind: FileKind;
  readonly bytes: number;
  /** Bytes of records that hold a key's current value. */
  readonly liveBytes: number;
  /** Bytes of overwritten values, deletions and older versions: what a merge can reclaim. */
  readonly deadBytes: number;
  readonly hasHint: boolean;
  readonly active: boolean;
}

export interface LogStats {
  readonly keys: number;
  readonly files: readonly FileStats[];
  readonly liveBytes: number;
  readonly deadBytes: number;
  readonly lastSequence: number;
  readonly lastMerge: MergeReport | undefined;
  /** What open did to recover from a crash (empty after a clean close). */
  readonly recovery: readonly RecoveryAction[];
}

export function storeStats(state: StoreState): LogStats {
  const live = new Map<number, number>();
  const keydir = state.keydir;
  for (const [key, slot] of keydir.entries()) {
    // Stryker disable next-line StringLiteral: an empty encoding name means utf8
    const size = RECORD_HEADER_SIZE + Buffer.byteLength(key, 'utf8') + keydir.valueLength[slot]!;
    const file = keydir.file[slot]!;
    live.set(file, (live.get(file) ?? 0) + size);
  }
  const files: FileStats[] = [...state.files.values()]
    .sort((a, b) => a.id - b.id)
    .map((file) => {
      const bytes = file.handle.size();
      const liveBytes = live.get(file.id) ?? 0;
      return {
        file: basename(file.path),
        kind: file.kind,
        bytes,
        liveBytes,
        deadBytes: Math.max(0, bytes - FILE_HEADER_SIZE - liveBytes),
        hasHint: file.hasHint,
        active: file === state.active,
      };
    });
  return {
    keys: keydir.size,
    files,
    liveBytes: files.reduce((sum, file) => sum + file.liveBytes, 0),
    deadBytes: files.reduce((sum, file) => sum + file.deadBytes, 0),
    lastSequence: state.lastSequence,
    lastMerge: state.lastMerge,
    recovery: [...state.recovery],
  };
}
