/**
 * Every byte of a small segment file is flipped in turn: opening and reading all of it
 * (every get and a full scan both ways) must either answer exactly what was written or
 * fail with CORRUPTION naming the file and an offset, never a wrong value.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { SegmentReader } from './segment-reader.js';
import { type SegmentEntry, SegmentWriter } from './segment-writer.js';
import { keyOf, tempDir } from './test-helpers.fixture.js';

const entries: SegmentEntry[] = Array.from({ length: 60 }, (_, n) => [
  keyOf(n),
  n % 2 === 0 ? `v${n}` : Uint8Array.of(n, n + 1),
]);

/** Reads everything; returns 'ok' when every answer is right, or throws. */
function readAll(path: string): 'ok' {
  const reader = SegmentReader.open(path);
  try {
    const wrong = (what: string) => new Error(`wrong answer: ${what}`);
    for (const [key, value] of entries) if (!same(reader.getSync(key), value)) throw wrong(`get ${key}`);
    if (reader.getSync('k-absent') !== undefined) throw wrong('get of an absent key');
    const forward = [...reader.entries()];
    const backward = [...reader.entries({ reverse: true })].reverse();
    for (const scanned of [forward, backward]) {
      if (scanned.length !== entries.length) throw wrong('scan length');
      scanned.forEach(([key, value], i) => {
        if (key !== entries[i]![0] || !same(value, entries[i]![1])) throw wrong(`scan at ${key}`);
      });
    }
    return 'ok';
  } finally {
    reader.close();
  }
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
}

describe('a flipped byte', () => {
  it('anywhere in the file is CORRUPTION with file and offset, never a wrong value', async () => {
    const dir = tempDir();
    const original = join(dir, 'clean.seg');
    // Small blocks, so the file has many blocks, restarts and index entries.
    await SegmentWriter.write(original, entries, { blockSize: 256 });
    const bytes = readFileSync(original);
    expect(readAll(original)).toBe('ok');
    const damaged = join(dir, 'damaged.seg');
    let caught = 0;
    for (let at = 0; at < bytes.length; at++) {
      const copy = Buffer.from(bytes);
      copy[at]! ^= 0x5a;
      writeFileSync(damaged, copy);
      let outcome: unknown;
      try {
        outcome = readAll(damaged);
      } catch (error) {
        outcome = error;
      }
      if (outcome === 'ok') continue;
      if (!(StowageError.is(outcome) && outcome.code === 'CORRUPTION')) {
        throw new Error(`flipping byte ${at} gave ${String(outcome)}`);
      }
      expect(outcome.file).toBe(damaged);
      expect(outcome.offset).toBeTypeOf('number');
      caught++;
    }
    // Every byte is covered by a checksum, so every flip is caught.
    expect(caught).toBe(bytes.length);
  });

  it('in a truncated file is CORRUPTION', async () => {
    const dir = tempDir();
    const path = join(dir, 't.seg');
    await SegmentWriter.write(path, entries);
    const bytes = readFileSync(path);
    for (const length of [0, 10, bytes.length - 1, bytes.length - 49]) {
      writeFileSync(path, bytes.subarray(0, length));
      expect(() => SegmentReader.open(path)).toThrow(expect.objectContaining({ code: 'CORRUPTION', file: path }));
    }
  });
});
