/**
 * Walks the records of a data file held in memory, checking every header and checksum,
 * and groups them into commits: the records of a transaction carry FLAG_TXN_MORE except
 * the last, so a group is complete only when its closing record is there. Recovery,
 * verify, repair, versions and merge all read files through here.
 */
import {
  FLAG_TXN_CONT,
  FLAG_TXN_MORE,
  RECORD_HEADER_SIZE,
  type RecordHeader,
  readRecordHeader,
  recordIntact,
} from './record-format.js';

/** A record found by a scan: its header fields and where it starts in the file. */
export interface ScannedRecord extends RecordHeader {
  readonly offset: number;
}

/** The first damaged byte range a scan met. */
export interface ScanDamage {
  readonly offset: number;
  readonly reason: string;
}

export interface ScanResult {
  /** Where the last complete group ends: everything before it is committed. */
  readonly committedEnd: number;
  /** Start of a group whose closing record never came (at the end of the scan), if any. */
  readonly openGroupAt: number | undefined;
  /** Damage that stopped the scan, if any. */
  readonly damage: ScanDamage | undefined;
}

/**
 * Scans `bytes` from `start`, calling `visit` once per committed group with its records
 * in file order. Stops at the end or at the first damaged record.
 */
export function scanGroups(bytes: Buffer, start: number, visit: (group: readonly ScannedRecord[]) => void): ScanResult {
  let at = start;
  let group: ScannedRecord[] = [];
  let committedEnd = start;
  let damage: ScanDamage | undefined;
  while (at < bytes.length) {
    const problem = checkRecordAt(bytes, at);
    if (typeof problem === 'string') {
      damage = { offset: at, reason: problem };
      break;
    }
    const continues = (problem.flags & FLAG_TXN_CONT) !== 0;
    if (continues !== group.length > 0) {
      damage = {
        offset: at,
        reason: continues ? 'transaction record without its start' : 'transaction interrupted by another record',
      };
      break;
    }
    const record: ScannedRecord = { ...problem, offset: at };
    at += record.size;
    group.push(record);
    if ((record.flags & FLAG_TXN_MORE) === 0) {
      visit(group);
      group = [];
      committedEnd = at;
    }
  }
  return { committedEnd, openGroupAt: group.length > 0 ? group[0]!.offset : undefined, damage };
}

/** The header of an intact record at `at`, or the reason there is none. */
export function checkRecordAt(bytes: Buffer, at: number): RecordHeader | string {
  if (bytes.length - at < RECORD_HEADER_SIZE) return 'incomplete record header';
  const header = readRecordHeader(bytes, at);
  if (header === undefined) return 'invalid record header';
  if (at + header.size > bytes.length) return 'record runs past the end of the file';
  if (!recordIntact(bytes, at, header.size)) return 'record checksum mismatch';
  return header;
}

/** The offset of the next intact record at or after `from`, or -1: how repair and recovery resynchronise after damage. */
export function findNextRecord(bytes: Buffer, from: number): number {
  // Stryker disable next-line ArithmeticOperator: going further only checks places too short for a header, which are never intact
  for (let at = from; at + RECORD_HEADER_SIZE <= bytes.length; at++) {
    if (typeof checkRecordAt(bytes, at) !== 'string') return at;
  }
  return -1;
}

/**
 * Where scanning may resume after damage: the next intact record at or after `from`,
 * skipping the rest of a transaction whose start was lost (records flagged as
 * continuations, up to and including the one that closes it). -1 when none is left.
 */
export function findResumePoint(bytes: Buffer, from: number): number {
  let at = findNextRecord(bytes, from);
  while (at >= 0) {
    const header = checkRecordAt(bytes, at);
    // Stryker disable next-line ArithmeticOperator: from at - 1 the search starts on the last byte of the record just skipped, where no intact record starts, then meets `at` as before
    if (typeof header === 'string') return findResumePoint(bytes, at + 1);
    if ((header.flags & FLAG_TXN_CONT) === 0) return at;
    at += header.size;
    if ((header.flags & FLAG_TXN_MORE) === 0) return at < bytes.length ? at : -1;
  }
  return -1;
}

/** The key of a scanned record, decoded from `bytes`. */
export function recordKey(bytes: Buffer, record: ScannedRecord): string {
  const keyAt = record.offset + RECORD_HEADER_SIZE;
  return bytes.toString('utf8', keyAt, keyAt + record.keyLength);
}
