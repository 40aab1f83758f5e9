/**
 * Serialization happens here and nowhere else: a codec turns user values into the
 * EncodedValue a backend stores, a key codec turns user keys into backend strings.
 */
import type { EncodedValue } from './backend.js';

export interface Codec<V> {
  /** A short name for messages, e.g. `json`. */
  readonly name: string;
  /** Encodes `value`; throws ENCODE_FAILED for a value it cannot represent. */
  encode(value: V): EncodedValue;
  /** Decodes what `encode` produced; throws DECODE_FAILED for anything else. */
  decode(data: EncodedValue): V;
}

export interface KeyCodec<K> {
  readonly name: string;
  encode(key: K): string;
  decode(key: string): K;
}

// TODO(core): jsonCodec, structuredCodec (node:v8), bytesCodec, utf8Codec, stringKeys, numberKeys.
