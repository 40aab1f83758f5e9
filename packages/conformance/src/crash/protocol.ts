/**
 * What the crash child and the parent agree on: the messages, and values that can be
 * checked on their own. A value is a pure function of (key, counter), so the parent can
 * tell an exact acknowledged value from an older one, a later one or a torn one without
 * being told what was written.
 */
import type { EncodedValue } from '@stowage/core';

export type CrashOperation =
  | { readonly type: 'set'; readonly key: string; readonly counter: number }
  | { readonly type: 'delete'; readonly key: string; readonly counter: number };

export type CrashMessage =
  | { readonly type: 'ready' }
  /** Sent, and confirmed sent, before an operation starts: the parent knows every write that may have landed. */
  | { readonly type: 'intent'; readonly id: number; readonly operations: readonly CrashOperation[] }
  /** Sent as soon as the operation's promise resolved. */
  | { readonly type: 'ack'; readonly id: number }
  | { readonly type: 'error'; readonly message: string }
  /** Sent by a child in `dump` mode: every entry the reopened store holds. */
  | { readonly type: 'dump'; readonly entries: readonly (readonly [string, EncodedValue])[] };

/**
 * What the child does: `write` until killed; `maintain` the same while the module's
 * maintenance export runs over and over; `dump` opens the store, sends every entry and
 * exits; `touch` writes one key, closes, then dumps.
 */
export type CrashChildMode = 'write' | 'maintain' | 'dump' | 'touch';

/** The key and value `touch` writes: the recovered store must take a write after the kills. */
export const touchKey = 'after-crashes';
export const touchValue = 'still writable';

/** Writers in the child; each owns `keysPerWorker` keys, so a key never has two writes in flight. */
export const workers = 6;
export const keysPerWorker = 6;

/** Sizes cycle from tiny to large enough to be written in several pieces. */
const sizes = [12, 40, 300, 4_000, 70_000, 24, 1_000, 250_000];

/** The value of `key` written with `counter`: text for even counters, bytes for odd ones. */
export function crashValue(key: string, counter: number): EncodedValue {
  const head = `${key}#${counter}#`;
  const length = Math.max(head.length, sizes[counter % sizes.length]!);
  let body = head;
  const filler = `${counter.toString(36)}.`;
  body += filler.repeat(Math.ceil((length - head.length) / filler.length)).slice(0, length - head.length);
  return counter % 2 === 0 ? body : new TextEncoder().encode(body);
}

/** The counter a stored value claims to carry, or undefined when it does not parse. */
export function crashCounter(key: string, value: EncodedValue): number | undefined {
  const text = typeof value === 'string' ? value : new TextDecoder().decode(value.subarray(0, key.length * 4 + 32));
  if (!text.startsWith(`${key}#`)) return undefined;
  const counter = Number(text.slice(key.length + 1, text.indexOf('#', key.length + 1)));
  return Number.isSafeInteger(counter) ? counter : undefined;
}
