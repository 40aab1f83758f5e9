/**
 * Serialization happens here and nowhere else: a codec turns user values into the
 * EncodedValue a backend stores, a key codec turns user keys into backend strings.
 * Codecs throw ENCODE_FAILED / DECODE_FAILED (PersistentMap adds the key to the message).
 */
import { deserialize, serialize } from 'node:v8';
import { StowageError } from '../contract/errors.js';
import type { EncodedValue } from '../contract/storage-backend.js';

export interface Codec<V> {
  /** A short name for messages, e.g. `json`. */
  readonly name: string;
  /** Encodes `value`; throws ENCODE_FAILED for a value it cannot represent. */
  encode(value: V): EncodedValue;
  /** Decodes what `encode` produced; throws DECODE_FAILED for anything else. */
  decode(data: EncodedValue): V;
}

/**
 * A codec for values of any type (json, structured): it fits `Codec<V>` for every V, so
 * `new PersistentMap<string, User>(..., { codec: structuredCodec })` type-checks. It
 * trusts the caller about the decoded type, as JSON.parse does.
 */
export interface AnyValueCodec {
  readonly name: string;
  encode(value: unknown): EncodedValue;
  decode<V = unknown>(data: EncodedValue): V;
}

export interface KeyCodec<K> {
  readonly name: string;
  encode(key: K): string;
  decode(key: string): K;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

function encodeFailed(codec: string, why: string, cause?: unknown): StowageError {
  return new StowageError('ENCODE_FAILED', `${codec} codec cannot encode ${why}`, cause === undefined ? {} : { cause });
}

function decodeFailed(codec: string, why: string, cause?: unknown): StowageError {
  return new StowageError('DECODE_FAILED', `${codec} codec cannot decode ${why}`, cause === undefined ? {} : { cause });
}

function asText(codec: string, data: EncodedValue): string {
  if (typeof data === 'string') return data;
  try {
    return textDecoder.decode(data);
  } catch (error) {
    throw decodeFailed(codec, 'bytes that are not valid UTF-8', error);
  }
}

/**
 * JSON refuses, rather than silently changes, whatever would not come back as it went in:
 * BigInt, functions, symbols, NaN/±Infinity (JSON would write null), Map/Set/typed arrays
 * (JSON would write `{}`), cycles, and undefined at the top level. `undefined` object
 * members are dropped and `undefined` array items become null, as JSON.stringify does.
 */
function rejectUnfaithful(this: unknown, member: string, value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
    case 'function':
    case 'symbol':
      throw encodeFailed('json', `a ${typeof value}${where(member)} (use structuredCodec for BigInt)`);
    case 'number':
      if (!Number.isFinite(value)) throw encodeFailed('json', `${value}${where(member)}`);
      return value;
    case 'object':
      if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
        throw encodeFailed('json', `a ${value.constructor.name}${where(member)} (use structuredCodec)`);
      }
      return value;
    default:
      return value;
  }
}

// Stryker disable all: where() only words ENCODE_FAILED messages
function where(member: string): string {
  return member === '' ? '' : ` at member "${member}"`;
}
// Stryker restore all

/** JSON text (the default). Dates become ISO strings, as with JSON.stringify. */
export const jsonCodec: AnyValueCodec = {
  name: 'json',
  encode(value) {
    let text: string | undefined;
    try {
      text = JSON.stringify(value, rejectUnfaithful);
    } catch (error) {
      if (StowageError.is(error)) throw error;
      throw encodeFailed('json', 'this value (it has a cycle or a toJSON threw)', error);
    }
    if (text === undefined) throw encodeFailed('json', 'undefined');
    return text;
  },
  decode<V>(data: EncodedValue): V {
    const text = asText('json', data);
    try {
      return JSON.parse(text) as never;
    } catch (error) {
      throw decodeFailed('json', 'text that is not JSON', error);
    }
  },
};

/**
 * The structured-clone algorithm of node:v8: Map, Set, Date, RegExp, BigInt, typed arrays,
 * cycles and NaN survive; functions, symbols and class identity do not (functions and
 * symbols are refused). The bytes are V8's format, readable by Node only.
 */
export const structuredCodec: AnyValueCodec = {
  // Stryker disable next-line StringLiteral: the name only words messages
  name: 'structured',
  encode(value) {
    try {
      return serialize(value);
    } catch (error) {
      throw encodeFailed('structured', 'this value (functions and symbols cannot be cloned)', error);
    }
  },
  decode<V>(data: EncodedValue): V {
    // Stryker disable next-line ConditionalExpression,StringLiteral: text fails in deserialize below with DECODE_FAILED too; this only words it
    if (typeof data === 'string') throw decodeFailed('structured', 'text; it stores bytes');
    try {
      return deserialize(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) as never;
    } catch (error) {
      throw decodeFailed('structured', 'bytes that V8 did not write', error);
    }
  },
};

/** Raw bytes, stored as given (not copied: do not change an array after writing it). */
export const bytesCodec: Codec<Uint8Array> = {
  // Stryker disable next-line StringLiteral: the name only words messages
  name: 'bytes',
  encode(value) {
    if (!(value instanceof Uint8Array)) throw encodeFailed('bytes', `a ${typeof value}; it takes a Uint8Array`);
    return value;
  },
  decode(data) {
    if (typeof data === 'string') throw decodeFailed('bytes', 'text; it stores bytes');
    return data;
  },
};

/** Strings stored as they are. Lone surrogates are refused: no engine could store them faithfully as UTF-8. */
export const utf8Codec: Codec<string> = {
  // Stryker disable next-line StringLiteral: the name only words messages
  name: 'utf8',
  encode(value) {
    if (typeof value !== 'string') throw encodeFailed('utf8', `a ${typeof value}; it takes a string`);
    if (!value.isWellFormed()) throw encodeFailed('utf8', 'a string with a lone surrogate');
    return value;
  },
  decode(data) {
    return asText('utf8', data);
  },
};

/** Keys are strings as they are (the default). Validation happens in PersistentMap. */
export const stringKeys: KeyCodec<string> = {
  // Stryker disable next-line StringLiteral: the name only words messages
  name: 'string',
  encode: (key) => key,
  decode: (key) => key,
};

/**
 * Finite numbers as 16 hex digits whose code-point order is numeric order, so ordered
 * engines iterate numeric keys numerically: the IEEE 754 bits, big-endian, with the sign
 * bit flipped for positives and every bit flipped for negatives. -0 is stored as 0.
 */
export const numberKeys: KeyCodec<number> = {
  // Stryker disable next-line StringLiteral: the name only words messages
  name: 'number',
  encode(key) {
    if (typeof key !== 'number' || !Number.isFinite(key)) {
      throw new StowageError('INVALID_KEY', `numberKeys takes a finite number, got ${String(key)}`);
    }
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, key === 0 ? 0 : key);
    let high = view.getUint32(0);
    let low = view.getUint32(4);
    if (high >>> 31) {
      high = ~high >>> 0;
      low = ~low >>> 0;
    } else {
      high = (high | 0x80000000) >>> 0;
    }
    return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
  },
  decode(key) {
    if (!/^[0-9a-f]{16}$/.test(key)) throw decodeFailed('numberKeys', `the key "${key}"`);
    let high = Number.parseInt(key.slice(0, 8), 16);
    let low = Number.parseInt(key.slice(8), 16);
    if (high >>> 31) {
      high = (high & 0x7fffffff) >>> 0;
    } else {
      high = ~high >>> 0;
      low = ~low >>> 0;
    }
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, high);
    view.setUint32(4, low);
    return view.getFloat64(0);
  },
};
