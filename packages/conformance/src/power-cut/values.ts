/**
 * Values the power-cut section writes: each one unique (it carries the seed and a serial
 * number), so a value found after a cut names the write it came from, and a torn or mixed
 * value can never pass for a real one. Mostly short, sometimes a few KiB, text or bytes.
 */
import type { EncodedValue } from '@stowage/core';
import type { Random } from '@stowage/fs/testing';

/** What the section stores: core's encoded values. */
export type Value = EncodedValue;

const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789 ,"\n\r\'=+-@\t;ü€😀';

export function makeValue(random: Random, seed: number, serial: number): Value {
  const length = random.chance(0.1) ? random.between(500, 4000) : random.int(40);
  if (random.chance(0.25)) {
    const bytes = new Uint8Array(8 + length);
    new DataView(bytes.buffer).setUint32(0, seed >>> 0);
    new DataView(bytes.buffer).setUint32(4, serial);
    for (let i = 8; i < bytes.length; i++) bytes[i] = random.int(256);
    return bytes;
  }
  const characters = Array.from(FILLER);
  let text = `${seed}:${serial}:`;
  for (let i = 0; i < length; i++) text += random.pick(characters);
  return text;
}

export function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);
}

export function describeValue(value: Value | undefined): string {
  if (value === undefined) return 'absent';
  if (typeof value === 'string') {
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} chars)` : JSON.stringify(value);
  }
  const head = [...value.subarray(0, 12)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `bytes ${head}${value.byteLength > 12 ? '…' : ''} (${value.byteLength} bytes)`;
}
