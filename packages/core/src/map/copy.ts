/**
 * Moving a store from one engine to another. Copying raw `entries()` by hand loses
 * expiries: an engine that keeps them itself (storesExpiry) holds them beside the value,
 * and a native-TTL target never told the expiry holds expired entries its sweep never
 * finds. `copy` reads each entry's expiry (the backend's own, or core's envelope), writes
 * the value the way the target keeps expiries (bare or in an envelope) with the expiry as
 * `expiresAt`, leaves out entries that already expired, and writes in batches (one
 * `apply` each where the target has it).
 */

import { StowageError } from '../contract/errors.js';
import * as fallbacks from '../contract/fallbacks.js';
import type { BatchOperation, EncodedValue, StorageBackend } from '../contract/storage-backend.js';
import { expiryOf, keepsExpiry, scanEntries, storedValue, unwrap } from './envelope.js';
import { ORIGIN } from './map-store.js';

export interface CopyOptions {
  /** Entries per batch written to the target (default 1,000). */
  readonly batchSize?: number;
  /** Called after each batch with the totals so far. */
  readonly onProgress?: (progress: CopyProgress) => void;
  /** The time expiries are compared with, in ms since the epoch (default: now). */
  readonly now?: number;
}

export interface CopyProgress {
  /** Entries written to the target so far. */
  readonly copied: number;
  /** Entries left out because their TTL had passed. */
  readonly expired: number;
}

/**
 * Copies every live entry of `from` into `to`: each codec output byte for byte (stored
 * bare or in core's envelope, as `to` keeps expiries) and each expiry as an expiry. Both backends are opened if they are not yet, and left open. Entries of `to`
 * that `from` lacks are kept; a key in both ends with `from`'s value. Open maps on `to`
 * do not see the copy (their caches are per map): copy first, then open the map.
 */
export async function copy(from: StorageBackend, to: StorageBackend, options: CopyOptions = {}): Promise<CopyProgress> {
  const batchSize = options.batchSize ?? 1_000;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
    throw new StowageError('INVALID_ARGUMENT', `batchSize must be a positive integer, got ${String(batchSize)}`, {
      origin: ORIGIN,
    });
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
    throw new StowageError('INVALID_ARGUMENT', 'onProgress must be a function', { origin: ORIGIN });
  }
  // Stryker disable next-line ObjectLiteral: a StowageError's origin defaults to @stowage/core, which ORIGIN is
  if (from === to) throw new StowageError('INVALID_ARGUMENT', 'cannot copy a store onto itself', { origin: ORIGIN });
  const now = options.now ?? Date.now();
  await from.open();
  await to.open();
  let copied = 0;
  let expired = 0;
  let batch: BatchOperation[] = [];
  const write = async (): Promise<void> => {
    await fallbacks.apply(to, batch);
    copied += batch.length;
    batch = [];
    options.onProgress?.({ copied, expired });
  };
  const bare = keepsExpiry(to);
  for await (const [key, stored, kept] of scanEntries(from, {}, keepsExpiry(from))) {
    const expiresAt = expiryOf(stored, kept);
    if (expiresAt !== undefined && expiresAt <= now) {
      expired++;
      continue;
    }
    const payload = payloadOf(stored);
    // A malformed envelope goes across as it is: reading it fails on both sides alike.
    const value = payload === undefined ? stored : storedValue(payload, expiresAt, bare);
    batch.push(expiresAt === undefined ? { type: 'set', key, value } : { type: 'set', key, value, expiresAt });
    if (batch.length >= batchSize) await write();
  }
  if (batch.length > 0) await write();
  return { copied, expired };
}

/** The codec's output inside a stored value; undefined for a malformed envelope. */
function payloadOf(stored: EncodedValue): EncodedValue | undefined {
  try {
    return unwrap(stored).payload;
  } catch {
    // malformed: undefined, below
  }
  return undefined;
}
