/**
 * Assertions the cases share. Values are compared by type and bytes with short messages,
 * so a failing 16 MiB round trip does not print 16 MiB.
 */
import { StowageError, type StowageErrorCode } from '@stowage/core';
import { expect } from 'vitest';
import type { Value } from './types.js';

export function sameValue(actual: unknown, expected: Value | undefined): boolean {
  if (typeof expected === 'string' || expected === undefined) return actual === expected;
  return (
    actual instanceof Uint8Array && Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected)
  );
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return value.length > 40 ? `string(${value.length}) ${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  if (value instanceof Uint8Array) return `bytes(${value.byteLength})`;
  return `${typeof value} ${String(value)}`;
}

/** Throws unless `actual` is `expected`: same type (string or bytes) and same content. */
export function expectValue(actual: unknown, expected: Value | undefined, what: string): void {
  if (sameValue(actual, expected)) return;
  let detail = '';
  if (typeof actual === 'string' && typeof expected === 'string') {
    let index = 0;
    while (index < Math.min(actual.length, expected.length) && actual[index] === expected[index]) index++;
    detail = ` (first difference at index ${index}, lengths ${actual.length} vs ${expected.length})`;
  }
  throw new Error(`${what}: expected ${describeValue(expected)}, got ${describeValue(actual)}${detail}`);
}

/** Throws unless both lists hold the same values in the same order. */
export function expectValues(actual: readonly unknown[], expected: readonly (Value | undefined)[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (const [index, value] of expected.entries()) expectValue(actual[index], value, `${what}[${index}]`);
}

/** Awaits `operation` and throws unless it failed with a StowageError of `code`. */
export async function expectCode(operation: () => unknown, code: StowageErrorCode, what: string): Promise<void> {
  let outcome: unknown;
  try {
    await operation();
  } catch (error) {
    outcome = error;
    if (StowageError.is(error, code)) return;
  }
  const got =
    outcome === undefined
      ? 'it succeeded'
      : StowageError.is(outcome)
        ? `StowageError ${outcome.code}: ${outcome.message}`
        : `${String(outcome)}`;
  throw new Error(`${what}: expected a StowageError with code ${code}, but ${got}`);
}

/** Throws unless `entries` equal `expected` (a model), as sets of keys with equal values. */
export function expectSameContents(
  entries: readonly [string, unknown][],
  expected: ReadonlyMap<string, Value>,
  what: string,
): void {
  const seen = new Set<string>();
  for (const [key, value] of entries) {
    if (seen.has(key)) throw new Error(`${what}: key ${JSON.stringify(key)} was yielded twice`);
    seen.add(key);
    if (!expected.has(key)) throw new Error(`${what}: unexpected key ${JSON.stringify(key)}`);
    expectValue(value, expected.get(key), `${what}: value of ${JSON.stringify(key)}`);
  }
  for (const key of expected.keys()) {
    if (!seen.has(key)) throw new Error(`${what}: key ${JSON.stringify(key)} is missing`);
  }
}
