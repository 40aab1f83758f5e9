/**
 * Walks the records of a WAL file held in memory, checking every checksum. Recovery,
 * verify and repair all read WAL files through here. A damaged record at the tail is a
 * write a crash tore (its change was never acknowledged); damage followed by an intact
 * record is damage to acknowledged writes, which recovery refuses and repair cuts off.
 */
import { checkFileHeader } from './segment-format.js';
import {
  decodeRecordAt,
  RECORD_HEADER_SIZE,
  WAL_HEADER_SIZE,
  WAL_MAGIC,
  WAL_VERSION,
  type WalOperation,
} from './wal-format.js';

export interface WalScan {
  /** Where the last intact record ends. */
  readonly intactEnd: number;
  /** The first damage met, if any. */
  readonly damage: { readonly offset: number; readonly reason: string } | undefined;
  /** True when an intact record follows the damage: it is not a torn tail. */
  readonly damageInMiddle: boolean;
  /** True when the file is shorter than its header (created, never synced): it holds nothing. */
  readonly headerless: boolean;
}

export function scanWal(bytes: Buffer, visit: (operations: WalOperation[]) => void): WalScan {
  if (bytes.length < WAL_HEADER_SIZE) {
    return { intactEnd: 0, damage: undefined, damageInMiddle: false, headerless: true };
  }
  // Stryker disable next-line StringLiteral: 'WAL' only names the file kind in the reason's wording
  const headerProblem = checkFileHeader(bytes.subarray(0, WAL_HEADER_SIZE), WAL_MAGIC, WAL_VERSION, 'WAL');
  if (headerProblem !== undefined) {
    return { intactEnd: 0, damage: { offset: 0, reason: headerProblem }, damageInMiddle: true, headerless: false };
  }
  let at = WAL_HEADER_SIZE;
  while (at < bytes.length) {
    const record = decodeRecordAt(bytes, at);
    if (typeof record === 'string') {
      return {
        intactEnd: at,
        damage: { offset: at, reason: record },
        // Stryker disable next-line ArithmeticOperator: from at - 1 adds the damaged record itself (still damaged) and one byte into the intact record before it, where a record checks out only by a 2^-32 checksum coincidence
        damageInMiddle: hasIntactRecordAfter(bytes, at + 1),
        headerless: false,
      };
    }
    visit(record.operations);
    at += record.size;
  }
  return { intactEnd: at, damage: undefined, damageInMiddle: false, headerless: false };
}

function hasIntactRecordAfter(bytes: Buffer, from: number): boolean {
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: `<` and `at - 8` are equivalent (an intact record needs 12 bytes, so the last positions never hold one); `>` hangs (a timeout)
  for (let at = from; at + RECORD_HEADER_SIZE <= bytes.length; at++) {
    if (typeof decodeRecordAt(bytes, at) !== 'string') return true;
  }
  return false;
}
