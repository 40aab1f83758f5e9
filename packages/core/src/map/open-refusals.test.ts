import { describe, expect, it } from 'vitest';
import type { StorageBackend } from '../contract/storage-backend.js';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

const bad = (value: unknown) => value as never;

/** A backend object with every required method, where `overrides` replaces members. */
function shaped(overrides: Record<string, unknown>): StorageBackend {
  const backend = new MapBackend();
  const members: Record<string, unknown> = {
    name: backend.name,
    supports: backend.supports,
    open: () => backend.open(),
    close: () => backend.close(),
    get: (key: string) => backend.get(key),
    set: (key: string, value: string) => backend.set(key, value),
    delete: (key: string) => backend.delete(key),
    entries: () => backend.entries(),
    ...overrides,
  };
  return members as unknown as StorageBackend;
}

describe('PersistentMap.open refusals', () => {
  it('refuses a missing backend with INVALID_CONFIG', async () => {
    expect(await codeOf(PersistentMap.open(bad(null)))).toBe('INVALID_CONFIG');
    expect(await codeOf(PersistentMap.open(bad(undefined)))).toBe('INVALID_CONFIG');
    expect(await codeOf(PersistentMap.open(bad('sqlite')))).toBe('INVALID_CONFIG');
  });

  it('refuses options that are not an object with INVALID_CONFIG', async () => {
    for (const options of [null, 'full', 5]) {
      expect(await codeOf(PersistentMap.open(new MapBackend(), bad(options)))).toBe('INVALID_CONFIG');
    }
  });

  it.each(['open', 'close', 'get', 'set', 'delete', 'entries'])(
    'refuses a backend without a %s method with INVALID_CONFIG',
    async (method) => {
      expect(await codeOf(PersistentMap.open(shaped({ [method]: undefined }), { sweepInterval: 0 }))).toBe(
        'INVALID_CONFIG',
      );
    },
  );

  it('opens a backend given as a plain object with every required method', async () => {
    const map = await PersistentMap.open(shaped({}), { sweepInterval: 0 });
    await map.set('a', 1);
    expect(await map.get('a')).toBe(1);
    await map.close();
  });

  it('refuses a backend without a supports manifest with INVALID_CONFIG', async () => {
    expect(await codeOf(PersistentMap.open(shaped({ supports: null }), { sweepInterval: 0 }))).toBe('INVALID_CONFIG');
    expect(await codeOf(PersistentMap.open(shaped({ supports: 'all' }), { sweepInterval: 0 }))).toBe('INVALID_CONFIG');
  });

  it('refuses a cache option that is not an object, a name the cache mode does not know, and a bad maxBytes', async () => {
    const caches = [
      'lru',
      { mode: 'none', maxEntries: 5 },
      { mode: 'full', maxBytes: 5 },
      { mode: 'lru', maxEntrys: 5 },
      { mode: 'lru', maxBytes: 0 },
      { mode: 'lru', maxBytes: -1 },
      { mode: 'lru', maxBytes: Number.NaN },
      { mode: 'lru', maxBytes: Number.POSITIVE_INFINITY },
    ];
    for (const cache of caches) {
      expect(await codeOf(PersistentMap.open(new MapBackend(), { cache: bad(cache), sweepInterval: 0 }))).toBe(
        'INVALID_CONFIG',
      );
    }
    const map = await PersistentMap.open(new MapBackend(), { cache: { mode: 'lru', maxBytes: 0.5 }, sweepInterval: 0 });
    await map.close();
  });

  it('refuses a key codec or a codec without both encode and decode with INVALID_CONFIG', async () => {
    const keyCodecs = [
      { name: 'half', encode: (key: string) => key },
      { name: 'half', decode: (key: string) => key },
    ];
    for (const keyCodec of keyCodecs) {
      expect(await codeOf(PersistentMap.open(new MapBackend(), { keyCodec: bad(keyCodec), sweepInterval: 0 }))).toBe(
        'INVALID_CONFIG',
      );
    }
    const codecs = [
      { name: 'half', encode: (value: unknown) => String(value) },
      { name: 'half', decode: (data: unknown) => data },
    ];
    for (const codec of codecs) {
      expect(await codeOf(PersistentMap.open(new MapBackend(), { codec: bad(codec), sweepInterval: 0 }))).toBe(
        'INVALID_CONFIG',
      );
    }
  });
});
