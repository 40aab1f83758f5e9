import { StowageError } from '@stowage/core';
import { crc32c } from '@stowage/fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HASH_ID } from './hash.js';
import { Maplet } from './maplet.js';
import { QuotientTable } from './quotient-table.js';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_VERSION } from './snapshot-format.js';

describe('snapshot format', () => {
  it('a maplet after any inserts, deletes and growth reloads from its snapshot answering exactly the same', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sum' as const, 'max' as const, 'or' as const),
        fc.array(fc.tuple(fc.boolean(), fc.nat(300), fc.integer({ min: 1, max: 15 })), { maxLength: 500 }),
        (merge, ops) => {
          const options = { capacity: 16, falsePositiveRate: 0.1, valueBits: 4, merge, growthBits: 1 };
          const maplet = new Maplet(options);
          const live: [string, number][] = [];
          for (const [insert, key, value] of ops) {
            if (insert || live.length === 0) {
              maplet.insert(`k${key}`, value);
              live.push([`k${key}`, value]);
            } else {
              const [k, v] = live.splice(key % live.length, 1)[0]!;
              expect(maplet.delete(k, v)).toBe(true);
            }
          }
          const decoded = decodeSnapshot(encodeSnapshot(maplet, 7), 'snap');
          expect(decoded.meta.epoch).toBe(7);
          const restored = new Maplet(options, { generations: decoded.generations, counters: decoded.meta.counters });
          restored.check();
          for (let key = 0; key < 400; key++) expect(restored.get(`k${key}`)).toBe(maplet.get(`k${key}`));
          for (const [key] of live) expect(restored.has(key)).toBe(true);
          expect(restored.counters).toEqual(maplet.counters);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('every single flipped byte is refused with CORRUPTION', () => {
    const maplet = new Maplet({ capacity: 64 });
    for (let i = 0; i < 40; i++) maplet.insert(`k${i}`);
    const bytes = encodeSnapshot(maplet, 1);
    for (let offset = 0; offset < bytes.length; offset += 7) {
      const damaged = bytes.slice();
      damaged[offset]! ^= 0x40;
      let error: unknown;
      try {
        decodeSnapshot(damaged, 'snap');
      } catch (caught) {
        error = caught;
      }
      expect(StowageError.is(error, 'CORRUPTION'), `byte ${offset}`).toBe(true);
    }
  });
});

/** A small maplet's snapshot: 12 keys with 4-bit values. */
function sample(): { maplet: Maplet; bytes: Uint8Array } {
  const maplet = new Maplet({ capacity: 16, valueBits: 4, merge: 'max', seed: 0xabcdef12 });
  for (let i = 0; i < 12; i++) maplet.insert(`k${i}`, i);
  return { maplet, bytes: encodeSnapshot(maplet, 3) };
}

/** A new CRC over everything before the last 4 bytes, so only the deliberate change is wrong. */
function reseal(bytes: Uint8Array): Uint8Array {
  const body = bytes.length - 4;
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(body, crc32c(bytes.subarray(0, body)), true);
  return bytes;
}

/** The snapshot with its meta block replaced by `meta` (raw bytes), the arrays kept, resealed. */
function withMeta(bytes: Uint8Array, meta: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const oldLength = view.getUint32(20, true);
  const arrays = bytes.subarray(align(24 + oldLength), bytes.length - 4);
  const out = new Uint8Array(align(24 + meta.length) + arrays.length + 4);
  out.set(bytes.subarray(0, 24), 0);
  new DataView(out.buffer).setUint32(20, meta.length, true);
  out.set(meta, 24);
  out.set(arrays, align(24 + meta.length));
  return reseal(out);
}

const align = (n: number) => (n + 3) & ~3;
const metaOf = (bytes: Uint8Array) =>
  JSON.parse(Buffer.from(bytes.subarray(24, 24 + new DataView(bytes.buffer).getUint32(20, true))).toString('utf8'));
const editMeta = (bytes: Uint8Array, edit: (meta: Record<string, unknown>) => void) => {
  const meta = metaOf(bytes);
  edit(meta);
  return withMeta(bytes, new TextEncoder().encode(JSON.stringify(meta)));
};

/** The CORRUPTION decoding `bytes` throws, with its file and offset. */
function refusal(bytes: Uint8Array): { file: unknown; offset: unknown } {
  try {
    decodeSnapshot(bytes, 'snap');
  } catch (error) {
    if (StowageError.is(error, 'CORRUPTION')) return { file: error.file, offset: error.offset };
    throw error;
  }
  throw new Error('decoded without complaint');
}

describe('snapshot layout', () => {
  it('is magic, version 1, hash id, seed, meta length, JSON meta, zero padding, arrays and a trailing CRC32C', () => {
    const { maplet, bytes } = sample();
    const view = new DataView(bytes.buffer);
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('STWMAPLT');
    expect(view.getUint32(8, true)).toBe(SNAPSHOT_VERSION);
    expect(SNAPSHOT_VERSION).toBe(1);
    expect(view.getUint32(12, true)).toBe(HASH_ID);
    expect(view.getUint32(16, true)).toBe(0xabcdef12);
    const metaLength = view.getUint32(20, true);
    const meta = metaOf(bytes);
    expect(meta).toMatchObject({
      epoch: 3,
      falsePositiveRate: 0.01,
      capacity: 16,
      valueBits: 4,
      merge: 'max',
      maxLoad: 0.9,
      growth: 'chain',
      growthBits: 2,
      counters: maplet.counters,
    });
    const { table } = maplet.generations[0]!;
    expect(meta.tables).toEqual([
      { q: table.quotientBits, r: table.remainderBits, used: 12, floor: maplet.generations[0]!.floor },
    ]);
    expect([...bytes.subarray(24 + metaLength, align(24 + metaLength))].every((byte) => byte === 0)).toBe(true);
    let at = align(24 + metaLength);
    const words = (array: Uint32Array) => {
      for (const word of array) {
        expect(view.getUint32(at, true)).toBe(word);
        at += 4;
      }
    };
    words(table.occupieds);
    words(table.runends);
    expect([...bytes.subarray(at, at + table.offsets.length)]).toEqual([...table.offsets]);
    at += align(table.offsets.length);
    words(table.remainders.words);
    words(table.values.words);
    expect(at).toBe(bytes.length - 4);
    expect(view.getUint32(at, true)).toBe(crc32c(bytes.subarray(0, at)));
  });

  it('records a rebuild growth policy by name and keeps the seed through a reload', () => {
    const maplet = new Maplet({ capacity: 16, growth: { rebuild: () => [] }, seed: 77 });
    maplet.insert('a');
    const decoded = decodeSnapshot(encodeSnapshot(maplet, 1), 'snap');
    expect(decoded.meta.growth).toBe('rebuild');
    expect(decoded.seed).toBe(77);
    expect(decoded.meta.merge).toBe('or');
  });

  it('reads a snapshot that starts inside a larger buffer', () => {
    const { maplet, bytes } = sample();
    const shifted = new Uint8Array(bytes.length + 5);
    shifted.set(bytes, 5);
    const decoded = decodeSnapshot(shifted.subarray(5), 'snap');
    const restored = new Maplet(
      { capacity: 16, valueBits: 4, merge: 'max', seed: 0xabcdef12 },
      { generations: decoded.generations, counters: decoded.meta.counters },
    );
    for (let i = 0; i < 12; i++) expect(restored.get(`k${i}`)).toBe(maplet.get(`k${i}`));
  });

  it('accepts table shapes at the edges of their ranges', () => {
    for (const [q, r, used, floor] of [
      [6, 1, 0, 1],
      [6, 32, 2 ** 31, 32],
    ] as const) {
      const table = new QuotientTable(q, r, 0, undefined, used);
      const maplet = new Maplet(
        { capacity: 16 },
        { generations: [{ table, floor }], counters: sample().maplet.counters },
      );
      const decoded = decodeSnapshot(encodeSnapshot(maplet, 1), 'snap');
      expect(decoded.meta.tables).toEqual([{ q, r, used, floor }]);
      expect(decoded.generations[0]!.table.remainderBits).toBe(r);
    }
  });
});

describe('a well-sealed snapshot that does not add up', () => {
  it('is refused for its version, hash function or a meta block past the end, at the field’s offset', () => {
    const { bytes } = sample();
    const set = (at: number, value: number) => {
      const copy = bytes.slice();
      new DataView(copy.buffer).setUint32(at, value, true);
      return reseal(copy);
    };
    expect(refusal(set(8, 2))).toEqual({ file: 'snap', offset: 8 });
    expect(refusal(set(12, HASH_ID + 1))).toEqual({ file: 'snap', offset: 12 });
    const body = bytes.length - 4;
    expect(refusal(set(20, body - 24 + 1))).toEqual({ file: 'snap', offset: 20 });
    // A meta block reaching exactly to the CRC is read (and then is not JSON).
    expect(refusal(set(20, body - 24))).toEqual({ file: 'snap', offset: 24 });
  });

  it('is refused when shorter than a header and a CRC, or when its magic is wrong', () => {
    const { bytes } = sample();
    expect(refusal(bytes.subarray(0, 27))).toMatchObject({ offset: 0 });
    // 28 bytes, sealed, meta length 0: long enough to reach the meta, which is empty.
    const minimal = bytes.slice(0, 28);
    new DataView(minimal.buffer).setUint32(20, 0, true);
    expect(refusal(reseal(minimal))).toMatchObject({ offset: 24 });
    for (const i of [0, 7]) {
      const foreign = bytes.slice();
      foreign[i]! ^= 0x20;
      expect(refusal(reseal(foreign)), `magic byte ${i}`).toMatchObject({ offset: 0 });
    }
  });

  it('is refused when its meta is not UTF-8 JSON or lists no tables', () => {
    const { bytes } = sample();
    expect(refusal(withMeta(bytes, Uint8Array.of(0x7b, 0xff, 0x7d)))).toMatchObject({ offset: 24 });
    expect(refusal(withMeta(bytes, new TextEncoder().encode('{"tables":')))).toMatchObject({ offset: 24 });
    expect(refusal(withMeta(bytes, new TextEncoder().encode('null')))).toMatchObject({ offset: 24 });
    expect(refusal(editMeta(bytes, (meta) => (meta.tables = [])))).toMatchObject({ offset: 24 });
    expect(refusal(editMeta(bytes, (meta) => (meta.tables = {})))).toMatchObject({ offset: 24 });
    // Valid JSON around a byte that is not UTF-8: refused, not read as a replacement character.
    const meta = new TextEncoder().encode(JSON.stringify(metaOf(bytes)));
    const at = meta.indexOf(0x6d, meta.indexOf(new TextEncoder().encode('"merge"')[1]!) + 8); // the m of "max"
    meta[at + 1] = 0xff;
    expect(refusal(withMeta(bytes, meta))).toMatchObject({ offset: 24 });
    // Control: the same meta, rewritten unchanged, still decodes.
    expect(
      decodeSnapshot(
        editMeta(bytes, () => {}),
        'snap',
      ).meta.epoch,
    ).toBe(3);
  });

  it('is refused when a table shape is out of range, before any array is read', () => {
    const { bytes } = sample();
    const shape = metaOf(bytes).tables[0];
    for (const [field, value] of [
      ['q', 5],
      ['q', 31],
      ['q', 6.5],
      ['r', 0],
      ['r', 33],
      ['r', '8'],
      ['used', -1],
      ['used', 2 ** 31 + 1],
      ['floor', 0],
      ['floor', 33],
    ] as const) {
      const edited = editMeta(bytes, (meta) => (meta.tables = [{ ...shape, [field]: value }]));
      expect(refusal(edited), `${field} ${value}`).toMatchObject({ offset: 24 });
    }
  });

  it('is refused when its arrays are shorter or longer than the shapes say, at the offset where they stop adding up', () => {
    const { bytes } = sample();
    const meta = metaOf(bytes);
    // Two tables of the one table's shape: the second finds the arrays at an end.
    const twice = editMeta(bytes, (edit) => (edit.tables = [meta.tables[0], meta.tables[0]]));
    expect(refusal(twice)).toEqual({ file: 'snap', offset: twice.length - 4 });
    // One word short: refused where the last array (the values) starts, not after reading past it.
    const { maplet } = sample();
    const valuesAt = bytes.length - 4 - maplet.generations[0]!.table.values.words.length * 4;
    const shorter = new Uint8Array(bytes.length - 4);
    shorter.set(bytes.subarray(0, bytes.length - 8), 0);
    expect(refusal(reseal(shorter))).toEqual({ file: 'snap', offset: valuesAt });
    // Cut inside the offsets bytes: refused where they start; cut right after them: where the remainders start.
    const table = maplet.generations[0]!.table;
    const arraysAt = align(24 + new DataView(bytes.buffer).getUint32(20, true));
    const offsetsAt = arraysAt + (table.occupieds.length + table.runends.length) * 4;
    const cutAt = (end: number) => {
      const cut = new Uint8Array(end + 4);
      cut.set(bytes.subarray(0, end), 0);
      return reseal(cut);
    };
    expect(refusal(cutAt(offsetsAt + table.offsets.length - 1))).toEqual({ file: 'snap', offset: offsetsAt });
    expect(refusal(cutAt(offsetsAt + table.offsets.length))).toEqual({
      file: 'snap',
      offset: offsetsAt + align(table.offsets.length),
    });
    // Four spare bytes after the arrays.
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes.subarray(0, bytes.length - 4), 0);
    expect(refusal(reseal(longer))).toEqual({ file: 'snap', offset: bytes.length - 4 });
  });
});
