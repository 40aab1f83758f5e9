/**
 * The data every subject stores: the same keys and values in the same order, so subjects
 * differ only in how they store them. Keys look like ids from a hash (random order, so a
 * B-tree cannot append in sorted order); values are small JSON objects of about 100 bytes,
 * the shape of a session or user record.
 */
import { createRandom } from '@stowage/fs/testing';

export interface Entry {
  readonly key: string;
  /** The value as an application holds it. */
  readonly value: Readonly<Record<string, unknown>>;
  /** The same value as JSON text, handed to subjects that store encoded values. */
  readonly json: string;
}

/** A seeded generator (the simulated disk's mulberry32), so every run stores the same data. */
export function seededRandom(seed: number): () => number {
  return createRandom(seed).next;
}

/** A 32-bit mix of `i`, printed as 8 hex digits: looks random, stays unique with the suffix. */
function hashHex(i: number): string {
  let x = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0).toString(16).padStart(8, '0');
}

/**
 * The i-th stored key, as a flat string: a template literal makes a rope (cons string) that
 * V8 flattens and then sheds at some later GC, which would show up as memory a store freed.
 */
export function keyOf(i: number): string {
  return Buffer.from(`user:${hashHex(i)}-${i}`, 'latin1').toString('latin1');
}

/** Keys of the same shape that are never stored (they interleave with the stored ones). */
export function missingKeyOf(i: number): string {
  return `user:${hashHex(i)}-${i}x`;
}

const names = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Frances', 'Alan', 'Radia'];
const plans = ['free', 'team', 'business', 'enterprise'];

export function valueFor(i: number, random: () => number): Readonly<Record<string, unknown>> {
  const name = names[i % names.length] ?? 'Ada';
  return {
    id: i,
    name,
    email: `${name.toLowerCase()}.${i}@example.com`,
    plan: plans[i % plans.length] ?? 'free',
    active: random() < 0.8,
    score: Math.round(random() * 10_000) / 100,
  };
}

/** The entries of indexes first .. first + count - 1: the same ones in every run. */
export function makeEntries(count: number, first = 0): Entry[] {
  const random = seededRandom(42 + first);
  const entries: Entry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const value = valueFor(first + i, random);
    entries[i] = { key: keyOf(first + i), value, json: JSON.stringify(value) };
  }
  return entries;
}

/**
 * `count` indexes below `limit` in random order: a uniform sample without repeats while
 * count ≤ limit (a partial Fisher-Yates shuffle), every index about equally often beyond.
 */
export function randomIndexes(count: number, limit: number, seed = 7): Uint32Array {
  const random = seededRandom(seed);
  const size = Math.max(count, limit);
  const pool = new Uint32Array(size);
  for (let i = 0; i < size; i++) pool[i] = i % limit;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (size - i));
    const swap = pool[i] ?? 0;
    pool[i] = pool[j] ?? 0;
    pool[j] = swap;
  }
  return pool.subarray(0, count);
}
