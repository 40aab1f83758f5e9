import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { BlockBuilder } from './block-builder.js';
import { findInBlock } from './block-reader.js';
import { SegmentReader } from './segment-reader.js';
import { type SegmentEntry, SegmentWriter } from './segment-writer.js';
import { keyOf, tempDir } from './test-helpers.fixture.js';

function valueFor(n: number): string | Uint8Array {
  return n % 3 === 0
    ? Uint8Array.from({ length: n % 50 }, (_, i) => (n + i) & 0xff)
    : `value-${n}-${'x'.repeat(n % 40)}`;
}

function* sortedEntries(count: number): Generator<SegmentEntry> {
  for (let n = 0; n < count; n++) yield [keyOf(n * 2), valueFor(n)];
}

describe('segment writer and reader', () => {
  it('round-trips entries of both value types, and answers absent keys', async () => {
    const path = join(tempDir(), 'a.seg');
    const info = await SegmentWriter.write(path, sortedEntries(3000));
    expect(info.entries).toBe(3000);
    expect(info.dataBlocks).toBeGreaterThan(10);
    expect(info.smallest).toBe(keyOf(0));
    expect(info.largest).toBe(keyOf(5998));
    const reader = SegmentReader.open(path);
    try {
      for (let n = 0; n < 3000; n++) {
        expect(reader.getSync(keyOf(n * 2))).toEqual(valueFor(n));
        expect(reader.getSync(keyOf(n * 2 + 1))).toBeUndefined();
      }
      expect(await reader.get(keyOf(10))).toEqual(valueFor(5));
      expect(reader.getSync('a')).toBeUndefined();
      expect(reader.getSync('z')).toBeUndefined();
      const keys = [keyOf(20), keyOf(3), keyOf(0), keyOf(5998), keyOf(20)];
      expect(reader.getMany(keys)).toEqual([valueFor(10), undefined, valueFor(0), valueFor(2999), valueFor(10)]);
    } finally {
      reader.close();
    }
  });

  it('scans ranges and prefixes forward and reverse, with limits', async () => {
    const path = join(tempDir(), 'r.seg');
    await SegmentWriter.write(path, sortedEntries(2000));
    const reader = SegmentReader.open(path);
    const all = [...sortedEntries(2000)].map(([key]) => key);
    const keys = (range: Parameters<SegmentReader['entries']>[0]) => [...reader.entries(range)].map(([key]) => key);
    expect(keys({})).toEqual(all);
    expect(keys({ reverse: true })).toEqual([...all].reverse());
    expect(keys({ gte: keyOf(100), lt: keyOf(200) })).toEqual(all.filter((k) => k >= keyOf(100) && k < keyOf(200)));
    expect(keys({ gt: keyOf(100), lte: keyOf(200), reverse: true })).toEqual(
      all.filter((k) => k > keyOf(100) && k <= keyOf(200)).reverse(),
    );
    expect(keys({ gt: keyOf(101), lt: keyOf(99) })).toEqual([]);
    expect(keys({ prefix: 'k0012' })).toEqual(all.filter((k) => k.startsWith('k0012')));
    expect(keys({ prefix: 'k0012', reverse: true })).toEqual(all.filter((k) => k.startsWith('k0012')).reverse());
    expect(keys({ gte: keyOf(500), limit: 3 })).toEqual([keyOf(500), keyOf(502), keyOf(504)]);
    expect(keys({ lte: keyOf(501), limit: 2, reverse: true })).toEqual([keyOf(500), keyOf(498)]);
    expect(keys({ gte: 'zzz' })).toEqual([]);
    expect(keys({ lt: 'a', reverse: true })).toEqual([]);
    reader.close();
  });

  it('orders keys by code point, beyond the basic plane too', async () => {
    const path = join(tempDir(), 'u.seg');
    const keys = ['a', 'é', '\uffff', '😀', '😀x', '日本'].sort((a, b) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b)),
    );
    await SegmentWriter.write(
      path,
      keys.map((key) => [key, key] as const),
    );
    const reader = SegmentReader.open(path);
    expect([...reader.entries()].map(([key]) => key)).toEqual(keys);
    for (const key of keys) expect(reader.getSync(key)).toBe(key);
    expect([...reader.entries({ prefix: '😀' })].map(([key]) => key)).toEqual(['😀', '😀x']);
    reader.close();
  });

  it('keeps the last of duplicate keys', async () => {
    const path = join(tempDir(), 'd.seg');
    const info = await SegmentWriter.write(path, [
      ['a', '1'],
      ['b', '2'],
      ['b', '3'],
      ['b', '4'],
      ['c', '5'],
      ['c', '6'],
    ]);
    expect(info.entries).toBe(3);
    const reader = SegmentReader.open(path);
    expect([...reader.entries()]).toEqual([
      ['a', '1'],
      ['b', '4'],
      ['c', '6'],
    ]);
    reader.close();
  });

  it('refuses unsorted input with INVALID_ARGUMENT and leaves no file behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'bad.seg');
    const error = await SegmentWriter.write(path, [
      ['b', '1'],
      ['a', '2'],
    ]).catch((caught: unknown) => caught);
    expect(StowageError.is(error) && error.code).toBe('INVALID_ARGUMENT');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes and reads an empty segment', async () => {
    const path = join(tempDir(), 'e.seg');
    const info = await SegmentWriter.write(path, []);
    expect(info.entries).toBe(0);
    const reader = SegmentReader.open(path);
    expect(reader.getSync('a')).toBeUndefined();
    expect([...reader.entries()]).toEqual([]);
    expect([...reader.entries({ reverse: true })]).toEqual([]);
    reader.close();
  });

  it('keeps entries larger than a block whole', async () => {
    const path = join(tempDir(), 'big.seg');
    const big = 'y'.repeat(100_000);
    await SegmentWriter.write(path, [
      ['a', 'small'],
      ['b', big],
      ['c', new Uint8Array(20_000).fill(7)],
    ]);
    const reader = SegmentReader.open(path);
    expect(reader.getSync('b')).toBe(big);
    expect(reader.getSync('c')).toEqual(new Uint8Array(20_000).fill(7));
    reader.close();
  });

  it('filters absent keys without reading a data block', async () => {
    const path = join(tempDir(), 'f.seg');
    await SegmentWriter.write(path, sortedEntries(5000));
    const reader = SegmentReader.open(path);
    const before = reader.cache.hits + reader.cache.misses;
    let passed = 0;
    for (let n = 0; n < 10_000; n++) if (reader.getSync(`absent-${n}`) === undefined) passed++;
    expect(passed).toBe(10_000);
    // With 10 bits per key about 1% of absent keys pass the filter and cost a block read.
    const blockReads = reader.cache.hits + reader.cache.misses - before;
    expect(blockReads).toBeLessThan(300);
    reader.close();
  });
});

describe('sorting unsorted input (sort: true)', () => {
  it('sorts in bounded memory through spilled runs, the last of equal keys winning, and leaves no temp files', async () => {
    const dir = tempDir();
    const path = join(dir, 'sorted.seg');
    const input: [string, string][] = [];
    const expected = new Map<string, string>();
    for (let n = 0; n < 5000; n++) {
      const key = keyOf((n * 7919) % 1500); // each key three or four times, scattered
      input.push([key, `v${n}`]);
      expected.set(key, `v${n}`);
    }
    // A 16 KiB buffer: many runs, so equal keys meet across runs too.
    const info = await SegmentWriter.write(path, input, { sort: true, sortBufferBytes: 16 * 1024 });
    expect(info.entries).toBe(expected.size);
    const reader = SegmentReader.open(path);
    expect([...reader.entries()]).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)));
    reader.close();
    expect(readdirSync(dir)).toEqual(['sorted.seg']);
  });

  it('sorts input that fits the buffer without spilling', async () => {
    const dir = tempDir();
    const path = join(dir, 'small.seg');
    await SegmentWriter.write(
      path,
      [
        ['c', '1'],
        ['a', '2'],
        ['c', '3'],
        ['b', '4'],
      ],
      { sort: true },
    );
    const reader = SegmentReader.open(path);
    expect([...reader.entries()]).toEqual([
      ['a', '2'],
      ['b', '4'],
      ['c', '3'],
    ]);
    reader.close();
  });
});

describe('lookups inside a block', () => {
  it('tell apart keys that are prefixes of each other, present and absent', () => {
    const keys = [
      'a',
      'ab',
      'abc',
      'abcd',
      'abd',
      'abda',
      'b',
      'ba',
      'bb',
      'c',
      'ca',
      'cab',
      'cb',
      'd',
      'da',
      'db',
      'dc',
      'e',
      'ea',
    ];
    const builder = new BlockBuilder(4096);
    for (const key of keys) builder.add(Buffer.from(key), 1, `=${key}`, key.length + 1);
    const block = Buffer.from(builder.finish());
    const hit = { kind: 0, valueStart: 0, valueLength: 0 };
    for (const key of keys) {
      expect(findInBlock(block, Buffer.from(key), hit), key).toBe(true);
      expect(block.toString('utf8', hit.valueStart, hit.valueStart + hit.valueLength)).toBe(`=${key}`);
    }
    for (const absent of [
      '',
      'aa',
      'abb',
      'abcc',
      'abce',
      'abcda',
      'abdb',
      'ac',
      'b0',
      'bc',
      'bba',
      'caa',
      'cc',
      'dd',
      'eb',
      'f',
    ]) {
      expect(findInBlock(block, Buffer.from(absent), hit), absent).toBe(false);
    }
  });
});
