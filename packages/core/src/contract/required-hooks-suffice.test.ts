import { describe, expect, it } from 'vitest';
import { codeOf, collect } from '../test-backends.fixture.js';
import { AbstractBackend } from './abstract-backend.js';
import { StowageError } from './errors.js';
import { inRange } from './keys.js';
import type { BackendSupports, EncodedValue, RangeOptions, WriteOptions } from './storage-backend.js';

/** An engine that writes only the required hooks: every other operation is AbstractBackend's default. */
class MinimalBackend extends AbstractBackend {
  readonly name = 'minimal';
  readonly data = new Map<string, EncodedValue>();
  readonly written: string[] = [];
  constructor(supports: Partial<BackendSupports> = {}) {
    super('@stowage/minimal', supports);
  }
  protected async _open(): Promise<void> {}
  protected async _close(): Promise<void> {}
  protected _get(key: string): EncodedValue | undefined {
    return this.data.get(key);
  }
  protected async _set(key: string, value: EncodedValue, _options: WriteOptions): Promise<void> {
    this.written.push(`set ${key}`);
    this.data.set(key, value);
  }
  protected async _delete(key: string): Promise<boolean> {
    this.written.push(`delete ${key}`);
    return this.data.delete(key);
  }
  protected async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    for (const [key, value] of [...this.data].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (inRange(key, range)) yield [key, value];
    }
  }
  /** The protected helpers engines use, reachable for the test. */
  wrap(error: unknown): StowageError {
    return this.wrapError(error, 'reading the index');
  }
}

describe('an engine that writes only the required hooks gets every other operation', () => {
  it('getMany, has, keys, size, apply in order, clear of a range and flush', async () => {
    const backend = new MinimalBackend();
    await backend.open();
    await backend.apply([
      { type: 'set', key: 'a', value: '1' },
      { type: 'set', key: 'b', value: '2' },
      { type: 'set', key: 'c', value: '3' },
      { type: 'delete', key: 'a' },
      { type: 'set', key: 'a', value: '4' },
    ]);
    expect(backend.written).toEqual(['set a', 'set b', 'set c', 'delete a', 'set a']);
    expect(await backend.getMany(['a', 'x', 'c'])).toEqual(['4', undefined, '3']);
    expect([await backend.has('b'), await backend.has('x')]).toEqual([true, false]);
    expect(await collect(backend.keys({ gt: 'a' }))).toEqual(['b', 'c']);
    expect(await backend.size()).toBe(3);
    await backend.clear({ gte: 'b' });
    expect([...backend.data.keys()]).toEqual(['a']);
    await backend.flush();
    await backend.clear();
    expect(await backend.size()).toBe(0);
    await backend.close();
  });

  it('answers NOT_SUPPORTED for the abilities it does not declare', async () => {
    const backend = new MinimalBackend();
    await backend.open();
    expect(await codeOf(backend.getWithExpiry('a'))).toBe('NOT_SUPPORTED');
    expect(await codeOf(collect(backend.entriesWithExpiry()))).toBe('NOT_SUPPORTED');
    expect(await codeOf(backend.sweepExpired(0))).toBe('NOT_SUPPORTED');
    await backend.close();
  });

  it('wraps a foreign error as a StowageError naming the engine, with the cause', () => {
    const backend = new MinimalBackend();
    const cause = Object.assign(new Error('bad block'), { code: 'EIO' });
    const error = backend.wrap(cause);
    expect(StowageError.is(error, 'IO')).toBe(true);
    expect(error.origin).toBe('@stowage/minimal');
    expect(error.cause).toBe(cause);
  });

  it('refuses a manifest that keeps expiries without native TTL', () => {
    expect(() => new MinimalBackend({ storesExpiry: true })).toThrow(StowageError);
    expect(new MinimalBackend({ storesExpiry: true, nativeTtl: true }).supports.storesExpiry).toBe(true);
  });
});
