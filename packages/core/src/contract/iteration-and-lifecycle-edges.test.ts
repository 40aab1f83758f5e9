import { describe, expect, it } from 'vitest';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
import { StowageError } from './errors.js';
import type { EncodedValue, RangeOptions } from './storage-backend.js';

/** Records how far the engine's own iterator got, and whether it was finalized. */
class TracedBackend extends MapBackend {
  pulled = 0;
  finalized = 0;
  failAfter: number | undefined;
  protected override async *_entries(range: RangeOptions): AsyncIterable<[string, EncodedValue]> {
    try {
      for await (const entry of super._entries(range)) {
        if (this.pulled === this.failAfter) throw new Error('EIO: bad sector');
        this.pulled++;
        yield entry;
      }
    } finally {
      this.finalized++;
    }
  }
}

async function filled(): Promise<TracedBackend> {
  const backend = new TracedBackend({ supports: { orderedIteration: true } });
  await backend.open();
  await backend.apply(['a', 'b', 'c', 'd'].map((key) => ({ type: 'set' as const, key, value: key })));
  return backend;
}

describe("an iteration releases the engine's iterator", () => {
  it('when the caller stops early', async () => {
    const backend = await filled();
    for await (const [key] of backend.entries()) {
      expect(key).toBe('a');
      break;
    }
    expect(backend.finalized).toBe(1);
    await backend.close();
  });

  it('when the limit is reached, having asked the engine for no more than the limit', async () => {
    const backend = await filled();
    const keys: string[] = [];
    for await (const key of backend.keys({ limit: 2 })) keys.push(key);
    expect(keys).toEqual(['a', 'b']);
    expect(backend.pulled).toBe(2);
    expect(backend.finalized).toBe(1);
    await backend.close();
  });

  it('never starts the engine for a limit of 0', async () => {
    const backend = await filled();
    const calls = backend.calls.entries;
    for await (const _ of backend.entries({ limit: 0 })) throw new Error('nothing may be yielded');
    expect(backend.calls.entries).toBe(calls);
    await backend.close();
  });

  it('turns an engine failure during iteration into a StowageError with the cause', async () => {
    const backend = await filled();
    backend.failAfter = 1;
    const seen: string[] = [];
    let failure: unknown;
    try {
      for await (const [key] of backend.entries()) seen.push(key);
    } catch (error) {
      failure = error;
    }
    expect(seen).toEqual(['a']);
    expect(StowageError.is(failure, 'IO')).toBe(true);
    expect(((failure as StowageError).cause as Error).message).toBe('EIO: bad sector');
    expect((failure as StowageError).origin).toBe('@stowage/core-test');
    await backend.close();
  });
});

describe('lifecycle edges', () => {
  it('closes a backend that was never opened without calling the engine, and refuses to open it after', async () => {
    const backend = new MapBackend();
    await backend.close();
    expect(backend.closes).toBe(0);
    expect(backend.state).toBe('closed');
    expect(await codeOf(backend.open())).toBe('STORE_CLOSED');
    expect(backend.calls.open).toBe(0);
  });

  it('opens once when open is called again after it finished', async () => {
    const backend = new MapBackend();
    await backend.open();
    await backend.open();
    expect(backend.calls.open).toBe(1);
    await backend.close();
  });

  it('answers a call made while the open is still running with STORE_CLOSED', async () => {
    const backend = new MapBackend({ delay: () => 5 });
    const opening = backend.open();
    expect(backend.state).toBe('opening');
    expect(await codeOf(backend.get('k'))).toBe('STORE_CLOSED');
    await opening;
    expect(await backend.get('k')).toBeUndefined();
    await backend.close();
  });

  it('refuses to open while closing, and a failed open during close leaves the store closed', async () => {
    const backend = new MapBackend({ delay: () => 5 });
    backend.failWith = (operation) => (operation === 'open' ? new Error('no disk') : undefined);
    const opening = backend.open().catch((error: unknown) => error);
    const closing = backend.close();
    expect(backend.state).toBe('closing');
    expect(await codeOf(backend.open())).toBe('STORE_CLOSED');
    await closing;
    await opening;
    expect(backend.state).toBe('closed');
  });

  it('closes at once when nothing is in flight, and a close after a finished operation does not wait', async () => {
    const backend = new MapBackend();
    await backend.open();
    await backend.set('k', 'v');
    await backend.get('k');
    await backend.close();
    expect(backend.closes).toBe(1);
  });

  it('does not call the engine for an empty batch', async () => {
    const backend = new MapBackend();
    await backend.open();
    await backend.apply([]);
    expect(backend.calls.apply).toBe(0);
    await backend.close();
  });

  it('refuses an apply whose delete has an invalid key, writing none of the batch', async () => {
    const backend = new MapBackend();
    await backend.open();
    expect(
      await codeOf(
        backend.apply([
          { type: 'set', key: 'ok', value: 'v' },
          { type: 'delete', key: 7 as unknown as string },
        ]),
      ),
    ).toBe('INVALID_KEY');
    expect(backend.data.size).toBe(0);
    await backend.close();
  });
});
