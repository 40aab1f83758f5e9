/**
 * The snapshot: the whole maplet in one checksummed file, written atomically.
 *
 *     "STWMAPLT" (8 bytes) | version u32 | hash id u32 | seed u32 | meta length u32
 *     | meta (UTF-8 JSON: settings, merge operator, counters, epoch, table shapes)
 *     | zero padding to a multiple of 4
 *     | per table: occupieds, runends (u32 words) | offsets (bytes, padded to 4)
 *       | remainders, values (u32 words)
 *     | CRC32C of everything before (u32)
 *
 * All integers little-endian, whatever the machine. The table sizes follow from the
 * shapes in the meta, so a length that disagrees is damage, not a guess.
 */
import { StowageError } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import { HASH_ID } from './hash.js';
import type { Generation, Maplet, MapletCounters } from './maplet.js';
import { ORIGIN } from './maplet-config.js';
import { QuotientTable } from './quotient-table.js';

const MAGIC = 'STWMAPLT';
/** The magic as bytes, copied in whole (a byte loop's mutants could spin forever). */
const MAGIC_BYTES = new TextEncoder().encode(MAGIC);
export const SNAPSHOT_VERSION = 1;

/** What the meta block records. */
export interface SnapshotMeta {
  readonly epoch: number;
  readonly falsePositiveRate: number;
  readonly capacity: number;
  readonly valueBits: number;
  readonly merge: string;
  readonly maxLoad: number;
  readonly growth: 'chain' | 'fixed' | 'rebuild';
  readonly growthBits: number;
  readonly counters: MapletCounters;
  readonly tables: readonly { q: number; r: number; used: number; floor: number }[];
}

export interface DecodedSnapshot {
  readonly meta: SnapshotMeta;
  readonly seed: number;
  readonly generations: Generation[];
}

export function encodeSnapshot(maplet: Maplet, epoch: number): Uint8Array {
  const settings = maplet.settings;
  const meta: SnapshotMeta = {
    epoch,
    falsePositiveRate: settings.falsePositiveRate,
    capacity: settings.capacity,
    valueBits: settings.valueBits,
    merge: settings.merge.name,
    maxLoad: settings.maxLoad,
    growth: typeof settings.growth === 'string' ? settings.growth : 'rebuild',
    growthBits: settings.growthBits,
    counters: { ...maplet.counters },
    tables: maplet.generations.map(({ table, floor }) => ({
      q: table.quotientBits,
      r: table.remainderBits,
      used: table.used,
      floor,
    })),
  };
  const metaBytes = new TextEncoder().encode(JSON.stringify(meta));
  let size = align(24 + metaBytes.length);
  for (const { table } of maplet.generations) {
    size += (table.occupieds.length + table.runends.length) * 4 + align(table.offsets.length);
    size += (table.remainders.words.length + table.values.words.length) * 4;
  }
  const bytes = new Uint8Array(size + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC_BYTES, 0);
  view.setUint32(8, SNAPSHOT_VERSION, true);
  view.setUint32(12, HASH_ID, true);
  view.setUint32(16, settings.seed, true);
  view.setUint32(20, metaBytes.length, true);
  bytes.set(metaBytes, 24);
  let offset = align(24 + metaBytes.length);
  const putWords = (words: Uint32Array) => {
    for (let i = 0; i < words.length; i++, offset += 4) view.setUint32(offset, words[i]!, true);
  };
  for (const { table } of maplet.generations) {
    putWords(table.occupieds);
    putWords(table.runends);
    bytes.set(table.offsets, offset);
    offset += align(table.offsets.length);
    putWords(table.remainders.words);
    putWords(table.values.words);
  }
  view.setUint32(size, crc32c(bytes.subarray(0, size)), true);
  return bytes;
}

export function decodeSnapshot(bytes: Uint8Array, file: string): DecodedSnapshot {
  const corrupt = (why: string, offset = 0): never => {
    throw new StowageError('CORRUPTION', `${file} is not a valid maplet snapshot: ${why}`, {
      origin: ORIGIN,
      file,
      offset,
    });
  };
  // Stryker disable StringLiteral: what `corrupt` says is message wording; callers rely on the code, file and offset
  if (bytes.length < 28) corrupt('it is too short');
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) corrupt('wrong magic (not a maplet snapshot)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const body = bytes.length - 4;
  if (view.getUint32(body, true) !== crc32c(bytes.subarray(0, body))) corrupt('checksum mismatch', body);
  const version = view.getUint32(8, true);
  if (version !== SNAPSHOT_VERSION) corrupt(`format version ${version}, this build reads ${SNAPSHOT_VERSION}`, 8);
  const hashId = view.getUint32(12, true);
  if (hashId !== HASH_ID) corrupt(`hash function ${hashId}, this build has ${HASH_ID}`, 12);
  const seed = view.getUint32(16, true);
  const metaLength = view.getUint32(20, true);
  if (24 + metaLength > body) corrupt('meta block longer than the file', 20);
  let meta: SnapshotMeta;
  // Stryker restore StringLiteral
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(24, 24 + metaLength)));
    // Stryker disable next-line BlockStatement: equivalent: with an empty catch, `meta` stays undefined and the next check refuses it at the same offset
  } catch {
    // Stryker disable next-line StringLiteral: message wording
    return corrupt('unreadable meta block', 24);
  }
  // Stryker disable StringLiteral: what `corrupt` says is message wording
  if (!Array.isArray(meta?.tables) || meta.tables.length === 0) corrupt('no tables in the meta block', 24);
  let offset = align(24 + metaLength);
  const takeWords = (count: number): Uint32Array => {
    if (offset + count * 4 > body) corrupt('arrays shorter than the sizes say', offset);
    const words = new Uint32Array(count);
    for (let i = 0; i < count; i++, offset += 4) words[i] = view.getUint32(offset, true);
    return words;
  };
  const generations: Generation[] = [];
  for (const shape of meta.tables) {
    const { q, r, used, floor } = shape;
    const valid = (n: unknown, lo: number, hi: number) =>
      Number.isInteger(n) && (n as number) >= lo && (n as number) <= hi;
    if (!valid(q, 6, 30) || !valid(r, 1, 32) || !valid(used, 0, 2 ** 31) || !valid(floor, 1, 32)) {
      corrupt('a table shape out of range', 24);
    }
    // An empty table of the same shape tells the lengths of every array.
    const shapeOf = new QuotientTable(q, r, meta.valueBits);
    const occupieds = takeWords(shapeOf.occupieds.length);
    const runends = takeWords(shapeOf.runends.length);
    if (offset + shapeOf.offsets.length > body) corrupt('arrays shorter than the sizes say', offset);
    const offsets = bytes.slice(offset, offset + shapeOf.offsets.length);
    offset += align(shapeOf.offsets.length);
    const remainders = takeWords(shapeOf.remainders.words.length);
    const values = takeWords(shapeOf.values.words.length);
    const table = new QuotientTable(q, r, meta.valueBits, { occupieds, runends, offsets, remainders, values }, used);
    generations.push({ table, floor });
  }
  if (offset !== body) corrupt('bytes left over after the arrays', offset);
  return { meta, seed, generations };
}
// Stryker restore StringLiteral

function align(n: number): number {
  return (n + 3) & ~3;
}
