/**
 * Data blocks as the reader sees them after their CRC matched: a block whose structure
 * does not add up (a bug in a writer, or damage the CRC missed) is BlockDamage, never a
 * wrong key, a wrong value or a read outside the block; and lookups and whole-block
 * decodes agree with what the builder wrote, restart points included.
 */
import { describe, expect, it } from 'vitest';
import { BlockBuilder } from './block-builder.js';
import { BlockDamage, compareBytes, decodeBlock, findInBlock } from './block-reader.js';
import { RESTART_INTERVAL } from './limits.js';
import { writeVarint } from './segment-format.js';

const hit = () => ({ kind: -1, valueStart: -1, valueLength: -1 });

/** A finished block of `keys`, each valued `=key`, kind 1 (the builder reuses its buffer: a copy). */
function blockOf(keys: string[], kind = 1): Buffer {
  const builder = new BlockBuilder(4096);
  for (const key of keys) builder.add(Buffer.from(key), kind, `=${key}`, Buffer.byteLength(key) + 1);
  return Buffer.from(builder.finish());
}

/** A block written by hand: entries as [shared, unshared key bytes, kind, value], then restarts and their count. */
function rawBlock(entries: [number, string, number, string][], restarts: number[]): Buffer {
  const bytes = Buffer.alloc(1024);
  let at = 0;
  for (const [shared, key, kind, value] of entries) {
    at = writeVarint(bytes, at, shared);
    at = writeVarint(bytes, at, Buffer.byteLength(key));
    at = writeVarint(bytes, at, Buffer.byteLength(value));
    bytes[at++] = kind;
    at += bytes.write(key, at);
    at += bytes.write(value, at);
  }
  for (const restart of restarts) at = bytes.writeUInt32LE(restart, at);
  at = bytes.writeUInt32LE(restarts.length, at);
  return bytes.subarray(0, at);
}

/** Throws BlockDamage for the reason `why` names. */
function damage(run: () => unknown, why: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BlockDamage);
  expect((caught as Error).message).toMatch(why);
}

describe('data block reads', () => {
  // 40 keys: three restart points (0, 16, 32), long shared prefixes, 2- and 3-byte characters.
  const keys = Array.from({ length: 40 }, (_, n) => `key-é-${String(n).padStart(3, '0')}${n % 3 === 0 ? '日' : ''}`);
  const block = blockOf(keys);

  it('finds every key with its kind and value, across restart points, and decodes them all in order', () => {
    expect(block.readUInt32LE(block.length - 4)).toBe(Math.ceil(keys.length / RESTART_INTERVAL));
    for (const key of keys) {
      const found = hit();
      expect(findInBlock(block, Buffer.from(key), found), key).toBe(true);
      expect(found.kind).toBe(1);
      expect(block.toString('utf8', found.valueStart, found.valueStart + found.valueLength)).toBe(`=${key}`);
    }
    const decoded = decodeBlock(block);
    expect(decoded.keys).toEqual(keys);
    expect([...decoded.kinds]).toEqual(keys.map(() => 1));
    expect(
      keys.map((_, i) =>
        decoded.content.toString('utf8', decoded.valueStarts[i], decoded.valueStarts[i]! + decoded.valueLengths[i]!),
      ),
    ).toEqual(keys.map((key) => `=${key}`));
  });

  it('answers absent for keys before, between and after the stored ones, restart keys’ neighbours included', () => {
    const absent = [
      '',
      'a',
      'key',
      'key-é-000',
      'key-é-0000',
      'key-é-001日',
      'key-é-0159',
      'key-é-015',
      'key-é-0161',
      'key-é-033',
      'key-é-040',
      'zzz',
    ];
    for (const key of absent) expect(findInBlock(block, Buffer.from(key), hit()), key).toBe(false);
  });

  it('carries each entry’s kind through lookups and decodes', () => {
    const tombstones = blockOf(['a', 'b'], 2);
    const found = hit();
    expect(findInBlock(tombstones, Buffer.from('b'), found)).toBe(true);
    expect(found.kind).toBe(2);
    expect([...decodeBlock(tombstones).kinds]).toEqual([2, 2]);
  });

  it('decodes keys longer than its scratch buffer, keeping the shared prefix', () => {
    const long = ['p'.repeat(3000), `${'p'.repeat(3000)}q`, `${'p'.repeat(2999)}r`, `${'p'.repeat(5000)}`].sort();
    expect(decodeBlock(blockOf(long)).keys).toEqual(long);
  });
});

describe('a data block that does not add up', () => {
  it('is refused when too short for its restart count, or with no restart or more restarts than bytes', () => {
    damage(() => decodeBlock(Buffer.from([1, 0, 0])), /too short/);
    damage(() => findInBlock(Buffer.from([0, 0, 0]), Buffer.from('a'), hit()), /too short/);
    damage(() => decodeBlock(Buffer.from([0, 0, 0, 0])), /restart count/);
    const block = rawBlock([[0, 'a', 1, 'v']], [0]);
    // Claims two restarts where the bytes hold one: the table would start before the block.
    const two = Buffer.from(block);
    two.writeUInt32LE(3, two.length - 4);
    damage(() => decodeBlock(two), /restart count/);
    // Exactly as many restart bytes as the block holds is a table starting at 0, with no entries.
    expect(decodeBlock(Buffer.from([0, 0, 0, 0, 1, 0, 0, 0])).keys).toEqual([]);
  });

  it('is refused when a restart point lies past the entries or shares a prefix', () => {
    const entries: [number, string, number, string][] = [
      [0, 'a', 1, 'v'],
      [0, 'b', 1, 'v'],
      [0, 'c', 1, 'v'],
    ];
    const good = rawBlock(entries, [0, 6, 12]);
    expect(findInBlock(good, Buffer.from('c'), hit())).toBe(true);
    damage(() => findInBlock(rawBlock(entries, [0, 6, 18]), Buffer.from('c'), hit()), /restart point past/);
    const sharing = rawBlock(
      [
        [0, 'a', 1, 'v'],
        [0, 'b', 1, 'v'],
        [1, 'c', 1, 'v'],
      ],
      [0, 6, 12],
    );
    damage(() => findInBlock(sharing, Buffer.from('c'), hit()), /shares a prefix/);
    damage(() => findInBlock(sharing, Buffer.from('bz'), hit()), /shares a prefix/);
    // The first restart is where the linear scan starts: it too must share nothing.
    damage(() => findInBlock(rawBlock([[1, 'a', 1, 'v']], [0]), Buffer.from('a'), hit()), /shares a prefix/);
  });

  it('is refused when an entry header is cut, an entry runs past the entries or has an unknown kind', () => {
    const cut = rawBlock([[0, 'a', 1, 'v']], [0]);
    // Entries end after the three varints: no kind byte.
    const noKind = Buffer.concat([Buffer.from([0, 1, 1]), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0])]);
    damage(() => decodeBlock(noKind), /entry header/);
    damage(() => findInBlock(noKind, Buffer.from('a'), hit()), /entry header/);
    const overrun = Buffer.from(cut);
    overrun[1] = 3; // key length 3 where 'a', 'v' and nothing else follow
    damage(() => decodeBlock(overrun), /runs past/);
    const kind = Buffer.from(cut);
    kind[3] = 3;
    damage(() => decodeBlock(kind), /runs past/);
    expect(decodeBlock(rawBlock([[0, 'a', 0, 'v']], [0])).keys).toEqual(['a']);
    expect(decodeBlock(rawBlock([[0, 'a', 2, 'v']], [0])).keys).toEqual(['a']);
    // A varint running into the restart table.
    damage(
      () => decodeBlock(Buffer.concat([Buffer.from([0x80]), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0])])),
      /entry header/,
    );
  });

  it('is refused when an entry shares more than the previous key', () => {
    damage(
      () =>
        decodeBlock(
          rawBlock(
            [
              [0, 'ab', 1, 'v'],
              [3, 'c', 1, 'v'],
            ],
            [0],
          ),
        ),
      /shares more/,
    );
    // Sharing all of the previous key is fine.
    expect(
      decodeBlock(
        rawBlock(
          [
            [0, 'ab', 1, 'v'],
            [2, 'c', 1, 'v'],
          ],
          [0],
        ),
      ).keys,
    ).toEqual(['ab', 'abc']);
  });
});

describe('byte comparison', () => {
  it('orders by the first differing byte, then by length, within the given ranges', () => {
    const a = Buffer.from('xxabcx');
    expect(compareBytes(a, 2, 5, Buffer.from('abc'), 0, 3)).toBe(0);
    expect(Math.sign(compareBytes(a, 2, 5, Buffer.from('abd'), 0, 3))).toBe(-1);
    expect(Math.sign(compareBytes(a, 2, 5, Buffer.from('abb'), 0, 3))).toBe(1);
    expect(Math.sign(compareBytes(a, 2, 5, Buffer.from('ab'), 0, 2))).toBe(1);
    expect(Math.sign(compareBytes(a, 2, 4, Buffer.from('abc'), 0, 3))).toBe(-1);
    expect(compareBytes(Buffer.from([0xff]), 0, 1, Buffer.from([0x01]), 0, 1)).toBe(0xfe);
  });
});
