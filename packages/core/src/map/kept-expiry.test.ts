/**
 * A backend that keeps expiries itself (`supports.storesExpiry`) is handed bare values and
 * the expiry beside them; values an older version wrapped in an envelope still read back
 * with their expiry, and copy() moves a store between the two kinds.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EncodedValue } from '../contract/storage-backend.js';
import { codeOf, collect, MapBackend, TransactionalBackend } from '../test-backends.fixture.js';
import { bytesCodec } from './codecs.js';
import { copy } from './copy.js';
import { wrap } from './envelope.js';
import { PersistentMap } from './persistent-map.js';

const START = 1_700_000_000_000;
const keeping = { nativeTtl: true, storesExpiry: true, orderedIteration: true } as const;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a backend that keeps expiries itself', () => {
  it.each([
    ['full', { mode: 'full' }],
    ['lru', { mode: 'lru', maxEntries: 10 }],
  ] as const)(
    'still reads a value an older version wrapped in an envelope, with its expiry (%s cache)',
    async (_, cache) => {
      const data = new Map<string, EncodedValue>([
        ['old', wrap('"kept"', START + 1000)],
        ['older', wrap('"gone"', START - 1)],
      ]);
      const map = await PersistentMap.open(new MapBackend({ data, supports: keeping }), { cache, sweepInterval: 0 });
      expect(await map.get('old')).toBe('kept');
      expect(await map.ttl('old')).toBe(1000);
      expect(await map.get('older')).toBeUndefined();
      expect(await map.size()).toBe(1);
      vi.setSystemTime(START + 1000);
      expect(await map.get('old')).toBeUndefined();
      await map.close();
    },
  );

  it('escapes a payload that starts with 0x01, and reads it back exactly', async () => {
    const backend = new MapBackend({ supports: keeping });
    const map = await PersistentMap.open(backend, { codec: bytesCodec, sweepInterval: 0 });
    await map.set('b', new Uint8Array([1, 7]), { ttl: 500 });
    expect(backend.data.get('b')).toEqual(new Uint8Array([1, 1, 1, 7]));
    expect(backend.expiries.get('b')).toBe(START + 500);
    await map.close();
    const again = await PersistentMap.open(
      new MapBackend({ data: backend.data, expiries: backend.expiries, supports: keeping }),
      {
        codec: bytesCodec,
        sweepInterval: 0,
      },
    );
    expect(await again.get('b')).toEqual(new Uint8Array([1, 7]));
    expect(await again.ttl('b')).toBe(500);
    await again.close();
  });

  it('hides an expired entry the backend has not swept, inside a transaction too', async () => {
    const backend = new TransactionalBackend({ supports: keeping });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 }, sweepInterval: 0 });
    await map.set('k', 1, { ttl: 100 });
    await map.set('n', 2);
    expect(backend.data.get('k')).toBe('1');
    vi.setSystemTime(START + 100);
    expect(backend.data.has('k')).toBe(true); // not swept yet
    const seen = await map.transaction(async (tx) => [await tx.get('k'), await tx.get('n')]);
    expect(seen).toEqual([undefined, 2]);
    expect(await collect(map.keys())).toEqual(['n']);
    await map.close();
  });

  it('copy() writes bare values with expiries to it, and envelopes back to a backend without', async () => {
    const plain = new MapBackend({ supports: { nativeTtl: true } });
    const source = await PersistentMap.open(plain, { sweepInterval: 0 });
    await source.set('s', { user: 'ada' }, { ttl: 60_000 });
    await source.set('p', 7);
    const kept = new MapBackend({ supports: keeping });
    expect(await copy(plain, kept)).toEqual({ copied: 2, expired: 0 });
    expect(kept.data.get('s')).toBe('{"user":"ada"}');
    expect(kept.expiries.get('s')).toBe(START + 60_000);
    expect(kept.data.get('p')).toBe('7');

    const back = new MapBackend();
    await copy(kept, back);
    expect(back.data.get('s')).toBe(`\x01${START + 60_000}\x01{"user":"ada"}`);
    const target = await PersistentMap.open(back, { sweepInterval: 0 });
    expect(await target.get('s')).toEqual({ user: 'ada' });
    expect(await target.ttl('s')).toBe(60_000);
    await Promise.all([source.close(), target.close()]);
  });

  it('copy() leaves out entries whose kept expiry has passed', async () => {
    const kept = new MapBackend({ supports: keeping });
    await kept.open();
    await kept.set('live', '1', { expiresAt: START + 10 });
    await kept.set('dead', '2', { expiresAt: START - 10 });
    const to = new MapBackend({ supports: keeping });
    expect(await copy(kept, to)).toEqual({ copied: 1, expired: 1 });
    expect([...to.data.keys()]).toEqual(['live']);
    expect(to.expiries.get('live')).toBe(START + 10);
  });
});

describe('the storesExpiry contract', () => {
  it('reads each value with its expiry, expired or not, through getWithExpiry and entriesWithExpiry', async () => {
    const backend = new MapBackend({ supports: keeping });
    await backend.open();
    await backend.set('a', 'x', { expiresAt: START - 5 });
    await backend.set('b', 'y');
    expect(await backend.getWithExpiry('a')).toEqual({ value: 'x', expiresAt: START - 5 });
    expect(await backend.getWithExpiry('b')).toEqual({ value: 'y', expiresAt: undefined });
    expect(await backend.getWithExpiry('c')).toBeUndefined();
    expect(await collect(backend.entriesWithExpiry({ gte: 'b' }))).toEqual([
      ['b', { value: 'y', expiresAt: undefined }],
    ]);
    expect(await codeOf(backend.getWithExpiry(42 as never))).toBe('INVALID_KEY');
  });

  it('is NOT_SUPPORTED on a backend that does not declare it', async () => {
    const backend = new MapBackend({ supports: { nativeTtl: true } });
    await backend.open();
    expect(await codeOf(backend.getWithExpiry('a'))).toBe('NOT_SUPPORTED');
    expect(await codeOf(collect(backend.entriesWithExpiry()))).toBe('NOT_SUPPORTED');
  });

  it('needs nativeTtl: an engine declaring storesExpiry alone is refused with INVALID_CONFIG', () => {
    expect(() => new MapBackend({ supports: { storesExpiry: true } })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});
