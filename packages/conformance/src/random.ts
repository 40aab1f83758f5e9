import { createRandom } from '@stowage/fs/testing';

/** A seeded generator (the simulated disk's mulberry32), so every run of a case builds the same data. */
export function seededRandom(seed: number): () => number {
  return createRandom(seed).next;
}

/** Deterministic bytes of `length`, every byte value included. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = i < 256 ? i : (random() * 256) | 0;
  return bytes;
}

/** Deterministic printable ASCII text of `length`. */
export function patternText(length: number, seed = 1): string {
  const random = seededRandom(seed);
  const chunk: string[] = [];
  for (let i = 0; i < 4096; i++) chunk.push(String.fromCharCode(32 + ((random() * 95) | 0)));
  const base = chunk.join('');
  // Numbered blocks, so a block written twice or out of place cannot pass for the original.
  const blocks: string[] = [];
  for (let size = 0, index = 0; size < length; index++) {
    const marker = `#${index}#`;
    blocks.push(marker, base.slice(marker.length));
    size += base.length;
  }
  return blocks.join('').slice(0, length);
}
