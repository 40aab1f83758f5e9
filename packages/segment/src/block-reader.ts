/**
 * Reads a verified data block (its CRC already checked): a point lookup by binary search
 * over the restart points then a short linear scan, and a whole-block decode for
 * iteration. A block whose structure does not add up throws BlockDamage, which the
 * segment reader turns into CORRUPTION naming the file and the block's offset.
 */
import { readVarint } from './segment-format.js';

export class BlockDamage extends Error {}

/** Where a lookup found its key: the entry's kind and its value's place in the block. */
export interface BlockHit {
  kind: number;
  valueStart: number;
  valueLength: number;
}

/** The entries of one block, decoded for iteration. */
export interface DecodedBlock {
  readonly keys: string[];
  readonly kinds: Uint8Array;
  readonly valueStarts: Uint32Array;
  readonly valueLengths: Uint32Array;
  /** The block content the values point into. */
  readonly content: Buffer;
}

const cursor = { at: 0 };
let scratch: Buffer = Buffer.allocUnsafe(1024);

function restartTable(block: Buffer): { count: number; start: number } {
  if (block.length < 4) throw new BlockDamage('block too short for its restart count');
  const count = block.readUInt32LE(block.length - 4);
  const start = block.length - 4 - 4 * count;
  if (count === 0 || start < 0) throw new BlockDamage('invalid restart count');
  return { count, start };
}

/** Reads the entry header at `cursor.at`: sets the three lengths; returns the kind. */
function entryHeader(block: Buffer, end: number, out: Int32Array): number {
  const shared = readVarint(block, cursor, end);
  const unshared = readVarint(block, cursor, end);
  const valueLength = readVarint(block, cursor, end);
  if (shared < 0 || unshared < 0 || valueLength < 0 || cursor.at >= end) throw new BlockDamage('invalid entry header');
  const kind = block[cursor.at++]!;
  if (cursor.at + unshared + valueLength > end || kind > 2) throw new BlockDamage('entry runs past its block');
  out[0] = shared;
  out[1] = unshared;
  out[2] = valueLength;
  return kind;
}

const lengths = new Int32Array(3);

/** Looks `target` (UTF-8 bytes) up in `block`; fills `hit` and returns true when found. */
export function findInBlock(block: Buffer, target: Buffer, hit: BlockHit): boolean {
  const { count, start: end } = restartTable(block);
  // The last restart point whose (full) key is <= target.
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    cursor.at = block.readUInt32LE(end + 4 * mid);
    if (cursor.at >= end) throw new BlockDamage('restart point past the entries');
    entryHeader(block, end, lengths);
    if (lengths[0] !== 0) throw new BlockDamage('restart entry shares a prefix');
    const keyAt = cursor.at;
    if (compareBytes(target, 0, target.length, block, keyAt, keyAt + lengths[1]!) < 0) high = mid - 1;
    else low = mid;
  }
  cursor.at = block.readUInt32LE(end + 4 * low);
  const stop = low + 1 < count ? block.readUInt32LE(end + 4 * (low + 1)) : end;
  // Stryker disable next-line ConditionalExpression,BlockStatement,StringLiteral: unreachable defence, equivalent: the search above probed restart low + 1 and threw unless it lies before `end`
  if (stop > end) throw new BlockDamage('restart point past the entries');
  // Scans without rebuilding keys: `matched` is how many leading bytes the previous key
  // (which sorts below target) shares with target. An entry sharing fewer bytes than that
  // with its predecessor is above target; sharing more, below; sharing exactly that many,
  // its own bytes decide.
  let matched = 0;
  let first = true;
  const targetLength = target.length;
  while (cursor.at < stop) {
    const kind = entryHeader(block, end, lengths);
    const shared = lengths[0]!;
    const unshared = lengths[1]!;
    const keyAt = cursor.at;
    cursor.at += unshared;
    if (!first && shared < matched) return false;
    if (first || shared === matched) {
      if (first && shared !== 0) throw new BlockDamage('restart entry shares a prefix');
      first = false;
      let i = 0;
      while (i < unshared && matched + i < targetLength && block[keyAt + i] === target[matched + i]) i++;
      matched += i;
      if (i === unshared && matched === targetLength) {
        hit.kind = kind;
        hit.valueStart = cursor.at;
        hit.valueLength = lengths[2]!;
        return true;
      }
      // Key ran out first (a prefix of target: below it), or a differing byte decides.
      if (i < unshared && (matched === targetLength || block[keyAt + i]! > target[matched]!)) return false;
    }
    cursor.at += lengths[2]!;
  }
  return false;
}

/** Decodes every entry of `block`, for iteration. */
export function decodeBlock(block: Buffer): DecodedBlock {
  const { start: end } = restartTable(block);
  const keys: string[] = [];
  const kinds: number[] = [];
  const starts: number[] = [];
  const valueLengths: number[] = [];
  cursor.at = 0;
  let keyLength = 0;
  while (cursor.at < end) {
    const kind = entryHeader(block, end, lengths);
    const shared = lengths[0]!;
    const unshared = lengths[1]!;
    if (shared > keyLength) throw new BlockDamage('entry shares more than the previous key');
    keyLength = shared + unshared;
    if (keyLength > scratch.length) scratch = growScratch(keyLength, shared);
    block.copy(scratch, shared, cursor.at, cursor.at + unshared);
    cursor.at += unshared;
    keys.push(scratch.toString('utf8', 0, keyLength));
    kinds.push(kind);
    starts.push(cursor.at);
    valueLengths.push(lengths[2]!);
    cursor.at += lengths[2]!;
  }
  // Stryker disable next-line ConditionalExpression,BlockStatement,StringLiteral: unreachable defence, equivalent: entryHeader refuses any entry ending past `end`, so the loop stops exactly there
  if (cursor.at !== end) throw new BlockDamage('entries overrun the restart table');
  return {
    keys,
    kinds: Uint8Array.from(kinds),
    valueStarts: Uint32Array.from(starts),
    valueLengths: Uint32Array.from(valueLengths),
    content: block,
  };
}

/** Byte-wise comparison of two ranges; a JS loop beats a native call for keys this short. */
export function compareBytes(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < length; i++) {
    const x = a[aStart + i]!;
    const y = b[bStart + i]!;
    if (x !== y) return x - y;
  }
  return aEnd - aStart - (bEnd - bStart);
}

function growScratch(size: number, keep: number): Buffer {
  const grown = Buffer.allocUnsafe(size * 2);
  scratch.copy(grown, 0, 0, keep);
  return grown;
}
