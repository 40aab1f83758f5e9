import { describe, expect, it } from 'vitest';
import type { EncodedValue } from '../contract/storage-backend.js';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
import { copy } from './copy.js';
import { wrap } from './envelope.js';
import { PersistentMap } from './persistent-map.js';

const NOW = 1_700_000_000_000;

describe('copy between backends', () => {
  it('carries values byte for byte and hands each expiry to a native-TTL target, leaving out expired entries', async () => {
    const from = new MapBackend({
      data: new Map<string, EncodedValue>([
        ['plain', '"a"'],
        ['bytes', new Uint8Array([1, 2, 3])],
        ['later', wrap('"b"', NOW + 60_000)],
        ['gone', wrap('"c"', NOW - 1)],
      ]),
    });
    const to = new MapBackend({ supports: { nativeTtl: true } });
    const progress: number[] = [];
    const result = await copy(from, to, { now: NOW, batchSize: 2, onProgress: (p) => progress.push(p.copied) });
    expect(result).toEqual({ copied: 3, expired: 1 });
    expect(progress).toEqual([2, 3]);
    expect([...to.data.keys()].sort()).toEqual(['bytes', 'later', 'plain']);
    expect(to.data.get('bytes')).toEqual(new Uint8Array([1, 2, 3]));
    expect(to.expiries.get('later')).toBe(NOW + 60_000); // the sweep of the target will find it
    expect(to.expiries.has('plain')).toBe(false);
    expect(await to.sweepExpired(NOW + 60_000)).toBe(1);
  });

  it('counts an entry expiring at the very instant of the copy as expired, and reports each full batch once', async () => {
    const from = new MapBackend({
      data: new Map<string, EncodedValue>([
        ['a', '1'],
        ['b', '2'],
        ['now', wrap('"c"', NOW)],
      ]),
    });
    const to = new MapBackend();
    const progress: number[] = [];
    const result = await copy(from, to, { now: NOW, batchSize: 2, onProgress: (p) => progress.push(p.copied) });
    expect(result).toEqual({ copied: 2, expired: 1 });
    expect(progress).toEqual([2]);
    expect([...to.data.keys()].sort()).toEqual(['a', 'b']);
  });

  it('gives a map on the target the same values and TTLs as a map on the source', async () => {
    const source = await PersistentMap.open(new MapBackend(), { sweepInterval: 0 });
    await source.set('session', { user: 'ada' }, { ttl: 3_600_000 });
    await source.set('count', 7);
    const to = new MapBackend({ supports: { nativeTtl: true } });
    await copy(source.backend, to);
    const target = await PersistentMap.open(to, { sweepInterval: 0 });
    expect(await target.get('session')).toEqual({ user: 'ada' });
    expect(await target.ttl('session')).toBeGreaterThan(3_500_000);
    expect(await target.get('count')).toBe(7);
    await source.close();
    await target.close();
  });

  it('refuses a bad batch size, a progress callback that is not a function, and a copy onto itself', async () => {
    const backend = new MapBackend();
    expect(await codeOf(copy(backend, new MapBackend(), { batchSize: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(copy(backend, new MapBackend(), { onProgress: 'x' as never }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(copy(backend, backend))).toBe('INVALID_ARGUMENT');
  });
});
