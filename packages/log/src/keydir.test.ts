import { describe, expect, it } from 'vitest';
import { Keydir } from './keydir.js';

describe('Keydir', () => {
  it('stores and updates every field of a key', () => {
    const keydir = new Keydir();
    const slot = keydir.set('a', 3, 100, 20, 2 ** 40, 2);
    expect([
      keydir.file[slot],
      keydir.valueOffset[slot],
      keydir.valueLength[slot],
      keydir.sequence[slot],
      keydir.flags[slot],
    ]).toEqual([3, 100, 20, 2 ** 40, 2]);
    expect(keydir.set('a', 4, 5, 6, 7, 0)).toBe(slot);
    expect(keydir.file[slot]).toBe(4);
    expect(keydir.size).toBe(1);
  });

  it('grows past its first capacity and reuses the slots of deleted keys', () => {
    const keydir = new Keydir();
    for (let i = 0; i < 5000; i++) keydir.set(`k${i}`, 1, i, i, i, 0);
    expect(keydir.size).toBe(5000);
    expect(keydir.valueOffset[keydir.slot('k4999')!]).toBe(4999);
    const freed = keydir.slot('k10')!;
    expect(keydir.delete('k10')).toBe(true);
    expect(keydir.delete('k10')).toBe(false);
    expect(keydir.has('k10')).toBe(false);
    expect(keydir.set('new', 2, 0, 0, 0, 0)).toBe(freed);
    expect(keydir.valueOffset[keydir.slot('k0')!]).toBe(0);
    expect([...keydir.keys()].length).toBe(5000);
  });
});
