/**
 * The change log since the last snapshot: one fixed-size record per insert, delete or
 * clear, by the key's 64-bit hash (the key itself is never stored).
 *
 *     header: "STWMPLOG" | version u32 | epoch u32 | CRC32C of the 16 bytes before (u32)
 *     record: payload length u32 (= 13) | CRC32C of the payload u32
 *             | type u8 (1 insert, 2 delete, 3 clear) | hash hi u32 | hash lo u32 | value u32
 *
 * The epoch ties a log to the snapshot it continues; a log of an older epoch was already
 * folded into the snapshot (a crash between the two atomic writes of a checkpoint).
 * A power cut can only tear the end of the last write, so bad records that run to the end
 * of the file are a torn tail and are cut; a bad record followed by a good one is damage.
 */
import { StowageError } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import { ORIGIN } from './maplet-config.js';

const MAGIC = 'STWMPLOG';
/** The magic as bytes, copied in whole (a byte loop's mutants could spin forever). */
const MAGIC_BYTES = new TextEncoder().encode(MAGIC);
const VERSION = 1;
export const LOG_HEADER_BYTES = 20;
const PAYLOAD_BYTES = 13;
export const RECORD_BYTES = 8 + PAYLOAD_BYTES;

export const INSERT = 1;
export const DELETE = 2;
export const CLEAR = 3;
export type RecordType = typeof INSERT | typeof DELETE | typeof CLEAR;

export interface LogRecord {
  readonly type: RecordType;
  readonly hi: number;
  readonly lo: number;
  readonly value: number;
}

export function encodeLogHeader(epoch: number): Uint8Array {
  const bytes = new Uint8Array(LOG_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC_BYTES, 0);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, epoch, true);
  view.setUint32(16, crc32c(bytes.subarray(0, 16)), true);
  return bytes;
}

/** Writes one record into `target` at `offset`. */
export function encodeRecord(
  target: Uint8Array,
  offset: number,
  type: RecordType,
  hi: number,
  lo: number,
  value: number,
): void {
  const view = new DataView(target.buffer, target.byteOffset + offset, RECORD_BYTES);
  view.setUint32(0, PAYLOAD_BYTES, true);
  view.setUint8(8, type);
  view.setUint32(9, hi, true);
  view.setUint32(13, lo, true);
  view.setUint32(17, value, true);
  view.setUint32(4, crc32c(target.subarray(offset + 8, offset + RECORD_BYTES)), true);
}

export interface ScannedLog {
  readonly epoch: number;
  readonly records: LogRecord[];
  /** Where the intact records end: the file is cut here when it is longer (a torn tail). */
  readonly validLength: number;
}

export function scanLog(bytes: Uint8Array, file: string): ScannedLog {
  const corrupt = (why: string, offset: number): never => {
    throw new StowageError('CORRUPTION', `${file}: ${why}`, { origin: ORIGIN, file, offset });
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Stryker disable StringLiteral: what `corrupt` says is message wording; callers rely on the code, file and offset
  if (bytes.length < LOG_HEADER_BYTES) corrupt('the change log header is cut short', 0);
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) corrupt('not a maplet change log (wrong magic)', 0);
  if (view.getUint32(16, true) !== crc32c(bytes.subarray(0, 16))) corrupt('change log header checksum mismatch', 16);
  const version = view.getUint32(8, true);
  if (version !== VERSION) corrupt(`change log version ${version}, this build reads ${VERSION}`, 8);
  const epoch = view.getUint32(12, true);
  const records: LogRecord[] = [];
  let firstBad = -1;
  for (let offset = LOG_HEADER_BYTES; offset + RECORD_BYTES <= bytes.length; offset += RECORD_BYTES) {
    const good =
      view.getUint32(offset, true) === PAYLOAD_BYTES &&
      view.getUint32(offset + 4, true) === crc32c(bytes.subarray(offset + 8, offset + RECORD_BYTES)) &&
      [INSERT, DELETE, CLEAR].includes(bytes[offset + 8]!);
    if (!good) {
      // Stryker disable next-line EqualityOperator: equivalent: firstBad is -1 or an offset of 20 or more, never 0
      if (firstBad < 0) firstBad = offset;
      continue;
    }
    // Stryker disable next-line EqualityOperator: equivalent: firstBad is -1 or an offset of 20 or more, never 0
    if (firstBad >= 0) corrupt('a damaged record is followed by intact ones', firstBad);
    records.push({
      type: bytes[offset + 8] as RecordType,
      hi: view.getUint32(offset + 9, true),
      lo: view.getUint32(offset + 13, true),
      value: view.getUint32(offset + 17, true),
    });
  }
  const whole = LOG_HEADER_BYTES + records.length * RECORD_BYTES;
  return { epoch, records, validLength: whole };
}
