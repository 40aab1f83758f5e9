/**
 * A backend that keeps expiries itself but offers no `sweepExpired` (an engine outside
 * AbstractBackend may leave it out): the LRU map's sweep falls back to scanning, and reads
 * each candidate's expiry from what `getWithExpiry` answers, beside the value.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MapBackend } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

const START = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the sweep of a backend that keeps expiries but cannot sweep them itself (lru cache)', () => {
  it('deletes exactly the entries whose kept expiry has passed', async () => {
    const backend = new MapBackend({ supports: { nativeTtl: true, storesExpiry: true } });
    Object.defineProperty(backend, 'sweepExpired', { value: undefined });
    const map = await PersistentMap.open(backend, { cache: { mode: 'lru', maxEntries: 10 }, sweepInterval: 0 });
    await map.set('due', 1, { ttl: 1000 });
    await map.set('later', 2, { ttl: 5000 });
    await map.set('never', 3);
    vi.setSystemTime(START + 1000);
    expect(await map.sweep()).toBe(1);
    expect([...backend.data.keys()].sort()).toEqual(['later', 'never']);
    expect(backend.calls.sweep).toBe(0);
    await map.close();
  });
});
