import { describe, expect, it } from 'vitest';
import { StowageError } from '../contract/errors.js';
import type { StoredLocation } from '../contract/storage-backend.js';
import { MapBackend } from '../test-backends.fixture.js';
import { jsonCodec, utf8Codec } from './codecs.js';
import { PersistentMap } from './persistent-map.js';

/** A backend that can say where a key's value lives in its files, as the csv engine does. */
class LocatingBackend extends MapBackend {
  where: (key: string) => StoredLocation | undefined = () => ({ file: 'data.csv', line: 3, column: 7 });
  locate(key: string): StoredLocation | undefined {
    return this.where(key);
  }
}

/** What the json codec says about `text`, as DECODE_FAILED quotes it. */
function codecComplaint(text: string): string {
  try {
    jsonCodec.decode(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} decoded`);
}

/** The StowageError a read of `key` rejects with. */
async function decodeError(map: PersistentMap<string, unknown>, key: string): Promise<StowageError> {
  try {
    await map.get(key);
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error(`reading "${key}" succeeded`);
}

describe('a value the codec cannot read is reported with where to fix it', () => {
  it('names the file, line and column the backend locates, and the JSON quoting hint for the json codec', async () => {
    const backend = new LocatingBackend();
    backend.data.set('greeting', 'hello'); // JSON text needs "hello"
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    const error = await decodeError(map, 'greeting');
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.key).toBe('greeting');
    expect(error.message).toContain(
      ' (stored in data.csv at line 3, column 7; the json codec reads JSON, so text needs its double quotes)',
    );
    expect(map.stats().errors).toBe(1);
    await map.close();
  });

  it('gives no JSON hint for another codec', async () => {
    const backend = new LocatingBackend();
    backend.data.set('bytes', new Uint8Array([0xff, 0xfe])); // not UTF-8
    const map = await PersistentMap.open<string, string>(backend, {
      codec: utf8Codec,
      cache: { mode: 'lru', maxEntries: 10 },
    });
    const error = await decodeError(map as PersistentMap<string, unknown>, 'bytes');
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toContain(' (stored in data.csv at line 3, column 7)');
    expect(error.message).not.toContain('double quotes');
    await map.close();
  });

  it('still reports DECODE_FAILED, without a place, when the backend cannot locate the key or its locate throws', async () => {
    const backend = new LocatingBackend();
    backend.data.set('a', 'not json');
    backend.where = () => undefined;
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 } });
    const unlocated = await decodeError(map, 'a');
    expect(unlocated.code).toBe('DECODE_FAILED');
    expect(unlocated.message).not.toContain('stored in');
    backend.where = () => {
      throw new Error('index gone');
    };
    const failedLocate = await decodeError(map, 'a');
    expect(failedLocate.code).toBe('DECODE_FAILED');
    expect(failedLocate.message).not.toContain('stored in');
    expect(failedLocate.message).not.toContain('index gone');
    // Nothing is added in place of the location: both read as the codec's own complaint.
    expect(failedLocate.message).toBe(unlocated.message);
    expect(unlocated.message.endsWith(`cannot decode the value of key "a": ${codecComplaint('not json')}`)).toBe(true);
    await map.close();
  });
});
