import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../map/persistent-map.js';
import { BareBackend, collect, settle } from '../test-backends.fixture.js';
import { AbstractBackend } from './abstract-backend.js';
import * as fallbacks from './fallbacks.js';
import { inRange } from './keys.js';
import type { EncodedValue, RangeOptions, WriteOptions } from './storage-backend.js';

/** Only the required operations, each slow, recording calls and how many overlap. */
class SlowOperations implements fallbacks.RequiredOperations {
  readonly data = new Map<string, EncodedValue>();
  readonly calls: string[] = [];
  running = 0;
  mostAtOnce = 0;
  failOn: string | undefined;

  async #step(call: string): Promise<void> {
    this.calls.push(call);
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    await settle();
    this.running--;
    if (call === this.failOn) throw new Error(`failed at ${call}`);
  }
  async get(key: string): Promise<EncodedValue | undefined> {
    await this.#step(`get ${key}`);
    return this.data.get(key);
  }
  async set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    await this.#step(`set ${key}${options.expiresAt === undefined ? '' : ` @${options.expiresAt}`}`);
    this.data.set(key, value);
  }
  async delete(key: string): Promise<boolean> {
    await this.#step(`delete ${key}`);
    return this.data.delete(key);
  }
  async *entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    this.calls.push('entries');
    for (const [key, value] of [...this.data].sort()) if (inRange(key, range)) yield [key, value];
  }
}

/** An engine with only the required hooks: every default of AbstractBackend is a fallback. */
class MinimalBackend extends AbstractBackend {
  readonly name = 'minimal';
  readonly operations = new SlowOperations();
  constructor() {
    super('@stowage/core-test');
  }
  protected async _open(): Promise<void> {}
  protected async _close(): Promise<void> {}
  protected _get(key: string) {
    return this.operations.get(key);
  }
  protected _set(key: string, value: EncodedValue, options: WriteOptions) {
    return this.operations.set(key, value, options);
  }
  protected _delete(key: string) {
    return this.operations.delete(key);
  }
  protected _entries(range: RangeOptions) {
    return this.operations.entries(range);
  }
}

describe('the fallbacks', () => {
  it('getMany reads one key after the other, in order', async () => {
    const operations = new SlowOperations();
    operations.data.set('b', '2');
    expect(await fallbacks.getManyOneByOne(operations, ['c', 'b', 'a', 'b'])).toEqual([undefined, '2', undefined, '2']);
    expect(operations.calls).toEqual(['get c', 'get b', 'get a', 'get b']);
    expect(operations.mostAtOnce).toBe(1);
  });

  it('apply writes in order with expiries, reporting each success and stopping at a failure', async () => {
    const operations = new SlowOperations();
    operations.failOn = 'delete c';
    const applied: number[] = [];
    const batch = [
      { type: 'set', key: 'a', value: '1', expiresAt: 99 },
      { type: 'delete', key: 'b' },
      { type: 'delete', key: 'c' },
      { type: 'set', key: 'd', value: '4' },
    ] as const;
    await expect(fallbacks.applyInOrder(operations, batch, (index) => applied.push(index))).rejects.toThrow(
      'failed at delete c',
    );
    expect(operations.calls).toEqual(['set a @99', 'delete b', 'delete c']);
    expect(applied).toEqual([0, 1]);
    expect(operations.mostAtOnce).toBe(1);
  });

  it('size counts every stored entry; keys come from entries', async () => {
    const operations = new SlowOperations();
    for (const key of ['a', 'b', 'c']) operations.data.set(key, key);
    expect(await fallbacks.countEntries(operations)).toBe(3);
    expect(await collect(fallbacks.keysOf(operations, { gt: 'a' }))).toEqual(['b', 'c']);
  });

  it('clear collects the keys first, honours limit, then deletes one by one', async () => {
    const operations = new SlowOperations();
    for (const key of ['a', 'b', 'c', 'd']) operations.data.set(key, key);
    await fallbacks.clearRange(operations, { gte: 'b', limit: 2 });
    expect(operations.calls).toEqual(['entries', 'delete b', 'delete c']);
    expect([...operations.data.keys()].sort()).toEqual(['a', 'd']);
  });

  it("a backend's fast path is used when it has one, the fallback otherwise", async () => {
    const bare = new BareBackend(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    expect(await fallbacks.getMany(bare, ['b', 'x'])).toEqual(['2', undefined]);
    expect(await fallbacks.size(bare)).toBe(2);
    expect(await collect(fallbacks.keys(bare, { gt: 'a' }))).toEqual(['b']);
    await fallbacks.clear(bare, { prefix: 'a' });
    expect([...bare.data.keys()]).toEqual(['b']);
    const minimal = new MinimalBackend();
    await minimal.open();
    minimal.operations.data.set('k', 'v');
    expect(await fallbacks.getMany(minimal, ['k'])).toEqual(['v']);
    expect(await fallbacks.size(minimal)).toBe(1);
  });
});

describe('AbstractBackend defaults are the fallbacks', () => {
  it('getMany, apply, size and clear behave as the fallbacks do', async () => {
    const backend = new MinimalBackend();
    await backend.open();
    const { operations } = backend;
    await backend.apply([
      { type: 'set', key: 'a', value: '1', expiresAt: 7 },
      { type: 'set', key: 'b', value: '2' },
      { type: 'set', key: 'c', value: '3' },
    ]);
    expect(await backend.getMany(['c', 'a', 'z'])).toEqual(['3', '1', undefined]);
    expect(await backend.size()).toBe(3);
    await backend.clear({ limit: 1 });
    expect(await collect(backend.keys())).toEqual(['b', 'c']);
    expect(operations.calls).toEqual([
      'set a @7',
      'set b',
      'set c',
      'get c',
      'get a',
      'get z',
      'entries',
      'entries',
      'delete a',
      'entries',
    ]);
    expect(operations.mostAtOnce).toBe(1);
    expect(await backend.has('b')).toBe(true);
    expect(await backend.has('a')).toBe(false);
  });
});

describe('PersistentMap over a backend without fast paths', () => {
  it('reads missing keys one by one, in order (as AbstractBackend and the kit do)', async () => {
    const bare = new BareBackend(
      new Map([
        ['a', '"1"'],
        ['b', '"2"'],
      ]),
    );
    const order: string[] = [];
    const get = bare.get.bind(bare);
    let running = 0;
    let mostAtOnce = 0;
    bare.get = async (key) => {
      order.push(key);
      mostAtOnce = Math.max(mostAtOnce, ++running);
      await settle();
      running--;
      return get(key);
    };
    const map = await PersistentMap.open<string, string>(bare, { cache: { mode: 'lru' }, sweepInterval: 0 });
    expect(await map.getMany(['b', 'x', 'a'])).toEqual(['2', undefined, '1']);
    expect(order).toEqual(['b', 'x', 'a']);
    expect(mostAtOnce).toBe(1);
    await map.close();
  });
});
