/**
 * A clear of the whole map hands the backend no range at all (an engine may drop
 * everything at once for it), and after a failed one the full cache reads the whole store
 * back the same way; a namespace's clear names its prefix.
 */
import { describe, expect, it } from 'vitest';
import type { EncodedValue, RangeOptions } from '../contract/storage-backend.js';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
import { PersistentMap } from './persistent-map.js';

/** Records the range of every clear and every scan. */
class RangeRecorder extends MapBackend {
  readonly clears: RangeOptions[] = [];
  readonly scans: RangeOptions[] = [];
  protected override _clear(range: RangeOptions): Promise<void> {
    this.clears.push(range);
    return super._clear(range);
  }
  protected override _entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    this.scans.push(range);
    return super._entries(range);
  }
}

describe('the range a clear hands the backend', () => {
  it('is empty for the whole map and the prefix for a namespace', async () => {
    const backend = new RangeRecorder();
    const map = await PersistentMap.open(backend, { sweepInterval: 0 });
    await map.clear();
    await map.namespace('ns:').clear();
    expect(backend.clears).toEqual([{}, { prefix: 'ns:' }]);
    await map.close();
  });

  it('is empty again for the read-back after a failed clear of the whole map (full cache)', async () => {
    const backend = new RangeRecorder();
    const map = await PersistentMap.open<string, number>(backend, { sweepInterval: 0 });
    await map.set('a', 1);
    backend.scans.length = 0;
    backend.failWith = (operation) => (operation === 'clear' ? new Error('EIO') : undefined);
    expect(await codeOf(map.clear())).toBe('IO');
    backend.failWith = undefined;
    expect(backend.scans).toEqual([{}]);
    expect(await map.get('a')).toBe(1);
    await map.close();
  });
});
