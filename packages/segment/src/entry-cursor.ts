/**
 * The one shape every sorted source has (memtable snapshot, segment, level of segments),
 * so the merge that answers ranges across all of them is written once.
 */
import type { EncodedValue } from '@stowage/core';

export interface EntryCursor {
  /** False once the cursor passed its last entry within bounds. */
  readonly valid: boolean;
  /** The key at the cursor (when valid). */
  readonly key: string;
  /** The kind at the cursor: KIND_TOMBSTONE marks a deletion. */
  readonly kind: number;
  /** The value at the cursor; undefined for a tombstone. */
  value(): EncodedValue | undefined;
  /** Moves to the next entry in the cursor's direction. */
  next(): void;
}
