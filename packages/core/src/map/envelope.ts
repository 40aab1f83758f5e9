/**
 * TTL that works on every backend: the expiry travels inside the stored value, so it
 * survives a reopen whatever the engine. A stored value whose first character (text) or
 * first byte (bytes) is 0x01 is an envelope:
 *
 *     \x01 <expiresAt as decimal digits, or nothing> \x01 <payload>
 *
 * A codec output that itself starts with 0x01 is stored as `\x01\x01<payload>` (no expiry),
 * so nothing is ambiguous. Everything else is stored exactly as the codec produced it.
 *
 * A backend that keeps expiries itself (`supports.storesExpiry`: memory, sqlite, csv) gets
 * no envelope: the expiry goes in `WriteOptions.expiresAt` and comes back from
 * `getWithExpiry`, so a CSV cell holds the plain JSON and the expiry its own column. Only a
 * payload that starts with 0x01 is still escaped, and values written with an envelope by an
 * older version still read back with their expiry.
 */

import { StowageError } from '../contract/errors.js';
import type { EncodedValue, ExpiringValue, RangeOptions, StorageBackend } from '../contract/storage-backend.js';

const MARK = 0x01;
const MARK_TEXT = '\x01';
/** The digits of an expiry, as bytes and back: ASCII, where latin1 is byte for byte. */
const asciiEncoder = new TextEncoder();
const latin1Decoder = new TextDecoder('latin1');

/**
 * The latest expiry the envelope carries: the largest safe integer (16 digits, about the
 * year 285,000). Beyond it `String(n)` turns to exponent notation or loses digits, and a
 * value written today could not be read back after a restart, so it is refused up front.
 */
export const MAX_EXPIRES_AT = Number.MAX_SAFE_INTEGER;

/** A stored value taken apart: the codec's payload and its expiry (undefined: never). */
export interface Unwrapped {
  readonly payload: EncodedValue;
  readonly expiresAt: number | undefined;
}

/** What to store for `payload` expiring at `expiresAt` (ms since the epoch, an integer). */
export function wrap(payload: EncodedValue, expiresAt: number | undefined): EncodedValue {
  if (expiresAt === undefined && !startsWithMark(payload)) return payload;
  if (expiresAt !== undefined) checkExpiresAt(expiresAt);
  const digits = expiresAt === undefined ? '' : String(expiresAt);
  if (typeof payload === 'string') return `${MARK_TEXT}${digits}${MARK_TEXT}${payload}`;
  const stored = new Uint8Array(digits.length + 2 + payload.byteLength);
  stored[0] = MARK;
  // Into place: encode() would allocate an array per write (measured 2x a byte loop; encodeInto ties it).
  asciiEncoder.encodeInto(digits, stored.subarray(1));
  stored[digits.length + 1] = MARK;
  stored.set(payload, digits.length + 2);
  return stored;
}

/** True when `backend` keeps expiries itself, so core stores its values without an envelope. */
export function keepsExpiry(backend: StorageBackend): boolean {
  return (
    backend.supports.storesExpiry === true &&
    typeof backend.getWithExpiry === 'function' &&
    typeof backend.entriesWithExpiry === 'function'
  );
}

/** An entry as `scanEntries` yields it: key, stored value and, where the backend keeps it, the expiry. */
export type ScannedEntry = readonly [key: string, stored: EncodedValue, kept?: number | undefined];

/**
 * The entries of `backend` within `range` with the expiries it keeps (`keeps`, see
 * keepsExpiry). A backend without them is iterated as it is, its pairs having no third
 * element: a full-cache open goes through here for every entry, so no layer is added.
 */
export function scanEntries(backend: StorageBackend, range: RangeOptions, keeps: boolean): AsyncIterable<ScannedEntry> {
  return keeps ? withExpiries(backend.entriesWithExpiry!(range)) : backend.entries(range);
}

async function* withExpiries(entries: AsyncIterable<[string, ExpiringValue]>): AsyncGenerator<ScannedEntry> {
  for await (const [key, { value, expiresAt }] of entries) yield [key, value, expiresAt];
}

/**
 * What to store for `payload` expiring at `expiresAt` on a backend that keeps expiries
 * itself (`keepsExpiry`: the expiry travels beside the value) or not (inside it).
 */
export function storedValue(payload: EncodedValue, expiresAt: number | undefined, keepsExpiry: boolean): EncodedValue {
  if (!keepsExpiry) return wrap(payload, expiresAt);
  // The same range whichever way the expiry travels: a store can move between engines.
  if (expiresAt !== undefined) checkExpiresAt(expiresAt);
  return wrap(payload, undefined);
}

function checkExpiresAt(expiresAt: number): void {
  if (!(Number.isSafeInteger(expiresAt) && expiresAt >= 0)) {
    throw new StowageError(
      'INVALID_ARGUMENT',
      `an expiry must be an integer number of ms from 0 to ${MAX_EXPIRES_AT}, got ${String(expiresAt)}`,
    );
  }
}

/** Takes a stored value apart; throws DECODE_FAILED for a malformed envelope. */
export function unwrap(stored: EncodedValue): Unwrapped {
  if (!startsWithMark(stored)) return { payload: stored, expiresAt: undefined };
  let digits: string;
  let end: number;
  // Without a second mark (end -1) the digits are junk, but the envelope is refused below anyway.
  if (typeof stored === 'string') {
    end = stored.indexOf(MARK_TEXT, 1);
    digits = stored.slice(1, end);
  } else {
    end = stored.indexOf(MARK, 1);
    digits = latin1Decoder.decode(stored.subarray(1, end));
  }
  // indexOf answers -1 or a position from 1 on: `=== -1` leaves no equivalent `<= 0` to mutate.
  if (end === -1 || !/^\d*$/.test(digits) || digits.length > 16 || Number(digits) > MAX_EXPIRES_AT) {
    throw new StowageError('DECODE_FAILED', 'a value starting with 0x01 is not a well-formed TTL envelope');
  }
  const payload = typeof stored === 'string' ? stored.slice(end + 1) : stored.subarray(end + 1);
  return { payload, expiresAt: digits === '' ? undefined : Number(digits) };
}

/**
 * The expiry of a stored value, without its payload: the backend's own (`kept`, from
 * `getWithExpiry`) when it has one, else the envelope's; undefined when it has none or the
 * envelope is malformed.
 */
export function expiryOf(stored: EncodedValue, kept?: number): number | undefined {
  if (kept !== undefined) return kept;
  try {
    return unwrap(stored).expiresAt;
  } catch {
    // malformed: reading it reports DECODE_FAILED; sweeping and counting leave it be
  }
  return undefined;
}

function startsWithMark(value: EncodedValue): boolean {
  return typeof value === 'string' ? value.charCodeAt(0) === MARK : value[0] === MARK;
}
