/**
 * Guarantee: a simulated file reads like a real one. A read that starts inside the file
 * and asks for more than is left returns only the bytes there (and the count of them); a
 * read at or past the end returns 0; a file cut short by truncate and then extended (by
 * truncate or by a write past the end) reads zeros where the cut bytes were, never them.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedDisk } from './simulated-disk.js';

const bytes = (text: string) => new TextEncoder().encode(text);

function fileWith(text: string) {
  const disk = new SimulatedDisk();
  const handle = disk.open('/f', 'createNew');
  handle.write(bytes(text), 0);
  return { disk, handle };
}

describe('reading a simulated file', () => {
  it('returns only the bytes left after the position, however many are asked for', () => {
    const { handle } = fileWith('abcdefghij');
    const target = new Uint8Array(100).fill(0xee);
    expect(handle.read(target, 0, 100, 6)).toBe(4);
    expect(new TextDecoder().decode(target.subarray(0, 4))).toBe('ghij');
    expect(target[4]).toBe(0xee);
    expect(handle.read(target, 0, 100, 10)).toBe(0);
    expect(handle.read(target, 0, 100, 15)).toBe(0);
  });

  it('reads zeros where bytes were cut, after extending with truncate', () => {
    const { handle } = fileWith('abcdefghij');
    handle.truncate(2);
    handle.truncate(6);
    const target = new Uint8Array(6);
    expect(handle.read(target, 0, 6, 0)).toBe(6);
    expect([...target]).toEqual([0x61, 0x62, 0, 0, 0, 0]);
  });

  it('reads zeros where bytes were cut, after a write past the end', () => {
    const { disk, handle } = fileWith('abcdefghij');
    handle.truncate(3);
    handle.write(bytes('Z'), 7);
    expect([...disk.readFile('/f')]).toEqual([0x61, 0x62, 0x63, 0, 0, 0, 0, 0x5a]);
  });
});
