import { describe, expect, it } from 'vitest';
import { codeOf, MapBackend, sleep } from '../test-backends.fixture.js';
import { AbstractBackend } from './abstract-backend.js';
import { StowageError } from './errors.js';

describe('AbstractBackend lifecycle', () => {
  it('opens once when open is called concurrently', async () => {
    const backend = new MapBackend({ delay: () => 5 });
    await Promise.all([backend.open(), backend.open(), backend.open()]);
    await backend.open();
    expect(backend.calls.open).toBe(1);
    expect(backend.state).toBe('open');
  });

  it('may be opened again after a failed open', async () => {
    const backend = new MapBackend();
    let failures = 1;
    backend.failWith = (operation) => (operation === 'open' && failures-- > 0 ? new Error('disk on fire') : undefined);
    const error = await backend.open().catch((caught: unknown) => caught);
    expect(StowageError.is(error, 'IO')).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(backend.state).toBe('new');
    await backend.open();
    expect(backend.state).toBe('open');
    await backend.set('k', 'v');
    expect(await backend.get('k')).toBe('v');
  });

  it('does not close an engine whose open failed while close was waiting for it', async () => {
    const backend = new MapBackend({ delay: () => 5 });
    backend.failWith = (operation) => (operation === 'open' ? new Error('no disk') : undefined);
    const opening = backend.open().catch((error: unknown) => error);
    await backend.close();
    expect(StowageError.is(await opening, 'IO')).toBe(true);
    expect(backend.closes).toBe(0);
    expect(backend.state).toBe('closed');
    expect(await codeOf(backend.open())).toBe('STORE_CLOSED');
  });

  it('closes idempotently', async () => {
    const backend = new MapBackend();
    await backend.open();
    const first = backend.close();
    expect(backend.close()).toBe(first);
    await first;
    await backend.close();
    expect(backend.state).toBe('closed');
    expect(backend.closes).toBe(1);
  });

  it('waits for operations in flight before closing', async () => {
    const backend = new MapBackend({ delay: () => 20 });
    await backend.open();
    const write = backend.set('k', 'v');
    await sleep(1);
    await backend.close();
    await write;
    expect(backend.data.get('k')).toBe('v');
  });

  it('refuses every call after close with STORE_CLOSED, and before open too', async () => {
    const fresh = new MapBackend();
    expect(await codeOf(fresh.get('k'))).toBe('STORE_CLOSED');
    const backend = new MapBackend();
    await backend.open();
    await backend.close();
    const calls: Promise<unknown>[] = [
      backend.get('k'),
      backend.set('k', 'v'),
      backend.delete('k'),
      backend.has('k'),
      backend.getMany(['k']),
      backend.apply([{ type: 'delete', key: 'k' }]),
      backend.size(),
      backend.clear(),
      backend.flush(),
      backend.open(),
    ];
    for (const call of calls) expect(await codeOf(call)).toBe('STORE_CLOSED');
    expect(backend.data.size).toBe(0);
  });

  it('fails an iteration that outlives its store with STORE_CLOSED', async () => {
    const backend = new MapBackend();
    await backend.open();
    await backend.apply([
      { type: 'set', key: 'a', value: '1' },
      { type: 'set', key: 'b', value: '2' },
    ]);
    const iterator = backend.entries()[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await backend.close();
    expect(await codeOf(iterator.next())).toBe('STORE_CLOSED');
    expect(await codeOf(backend.keys()[Symbol.asyncIterator]().next())).toBe('STORE_CLOSED');
  });

  it('validates keys and values before the engine sees them', async () => {
    const backend = new MapBackend({ supports: { maxKeyBytes: 8, maxValueBytes: 4 } });
    await backend.open();
    expect(await codeOf(backend.set('\ud800', 'v'))).toBe('INVALID_KEY');
    expect(await codeOf(backend.set('123456789', 'v'))).toBe('INVALID_KEY');
    expect(await codeOf(backend.set(5 as unknown as string, 'v'))).toBe('INVALID_KEY');
    expect(await codeOf(backend.set('k', '12345'))).toBe('INVALID_VALUE');
    expect(await codeOf(backend.set('k', 5 as unknown as string))).toBe('INVALID_VALUE');
    expect(await codeOf(backend.set('k', 'a\udc00'))).toBe('INVALID_VALUE');
    expect(
      await codeOf(
        backend.apply([
          { type: 'set', key: 'ok', value: 'v' },
          { type: 'set', key: 'k', value: '12345' },
        ]),
      ),
    ).toBe('INVALID_VALUE');
    expect(await codeOf(backend.set('k', 'v', { expiresAt: Number.NaN }))).toBe('INVALID_ARGUMENT');
    expect(backend.calls.set + backend.calls.apply).toBe(0);
    expect(backend.data.size).toBe(0);
  });

  it('clears at most `limit` keys', async () => {
    const backend = new MapBackend();
    await backend.open();
    await backend.apply(['a', 'b', 'c', 'd'].map((key) => ({ type: 'set' as const, key, value: key })));
    await backend.clear({ limit: 2 });
    expect(await backend.size()).toBe(2);
  });
});

describe('AbstractBackend errors', () => {
  it('turns driver errors into IO and lets other errors through unchanged', async () => {
    const backend = new MapBackend();
    await backend.open();
    const driverError = Object.assign(new Error('disk on fire'), { code: 'EIO' });
    const userError = new Error('mine');
    const guarded = backend as unknown as { run<T>(operation: () => Promise<T>): Promise<T> };
    const io = await guarded.run(() => Promise.reject(driverError)).catch((error: unknown) => error);
    expect(StowageError.is(io, 'IO')).toBe(true);
    expect((io as StowageError).cause).toBe(driverError);
    await expect(guarded.run(() => Promise.reject(userError))).rejects.toBe(userError);
  });
});

describe('AbstractBackend with an engine that answers synchronously', () => {
  class SyncBackend extends AbstractBackend {
    readonly name = 'sync';
    constructor() {
      super('@stowage/core/test');
    }
    protected _get(key: string): string | undefined {
      if (key === 'boom') throw Object.assign(new Error('disk on fire'), { code: 'EIO' });
      return key === 'here' ? 'value' : undefined;
    }
    protected async _open(): Promise<void> {}
    protected async _close(): Promise<void> {}
    protected async _set(): Promise<void> {}
    protected async _delete(): Promise<boolean> {
      return false;
    }
    protected async *_entries(): AsyncIterable<[string, string]> {}
  }

  it('still returns promises, and a synchronous throw becomes a rejection', async () => {
    const backend = new SyncBackend();
    await backend.open();
    const found = backend.get('here');
    expect(found).toBeInstanceOf(Promise);
    expect(await found).toBe('value');
    expect(await backend.has('here')).toBe(true);
    expect(await backend.has('gone')).toBe(false);
    const failed = backend.get('boom');
    expect(failed).toBeInstanceOf(Promise);
    expect(await codeOf(failed)).toBe('IO');
    await backend.close();
    expect(await codeOf(backend.get('here'))).toBe('STORE_CLOSED');
  });
});
