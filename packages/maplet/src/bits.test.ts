import { createRandom } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { clearBit, getBit, PackedArray, setBit } from './bits.js';

describe('PackedArray', () => {
  it('keeps every field of every width from 0 to 32, whatever the order of the writes', () => {
    const rng = createRandom(5);
    for (let width = 0; width <= 32; width++) {
      const length = 70;
      const array = new PackedArray(length, width);
      const model = new Array<number>(length).fill(0);
      const max = width === 32 ? 0xffffffff : 2 ** width - 1;
      for (let step = 0; step < 400; step++) {
        const index = rng.int(length);
        // Edges (0 and all ones) as often as random values: they show a field bleeding into its neighbour.
        const pick = rng.int(3);
        const value = pick === 0 ? 0 : pick === 1 ? max : Math.floor(rng.next() * (max + 1));
        array.set(index, value);
        model[index] = value;
      }
      for (let index = 0; index < length; index++)
        expect(array.get(index), `width ${width} index ${index}`).toBe(model[index]);
    }
  });

  it('stores only the low `width` bits of a value', () => {
    const array = new PackedArray(4, 4);
    array.set(1, 0x1f);
    expect([array.get(0), array.get(1), array.get(2)]).toEqual([0, 0xf, 0]);
  });
});

describe('bit vectors', () => {
  it('sets, reads and clears single bits across words', () => {
    const words = new Uint32Array(3);
    for (const index of [0, 31, 32, 63, 95]) setBit(words, index);
    expect([0, 1, 30, 31, 32, 33, 63, 64, 95].map((index) => getBit(words, index))).toEqual([
      1, 0, 0, 1, 1, 0, 1, 0, 1,
    ]);
    clearBit(words, 31);
    clearBit(words, 32);
    expect([getBit(words, 31), getBit(words, 32), getBit(words, 0), getBit(words, 63)]).toEqual([0, 0, 1, 1]);
  });
});
