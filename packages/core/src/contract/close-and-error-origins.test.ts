/**
 * close() keeps the engine open until every operation in flight has settled; the errors
 * AbstractBackend makes itself name the engine's package as their origin; and `run` hands
 * back any failure that is not a system error as it is, null included.
 */
import { describe, expect, it } from 'vitest';
import { latch, MapBackend, settle } from '../test-backends.fixture.js';
import type { StowageError } from './errors.js';

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('close with an operation in flight', () => {
  it("does not call the engine's close until the operation settled", async () => {
    const backend = new MapBackend();
    await backend.open();
    const held = latch();
    backend.hold = (operation) => (operation === 'set' ? held.promise : undefined);
    const write = backend.set('k', 'v');
    await settle();
    const closing = backend.close();
    await settle();
    expect(backend.state).toBe('closing');
    expect(backend.closes).toBe(0);
    held.release();
    await write;
    await closing;
    expect(backend.closes).toBe(1);
    expect(backend.data.get('k')).toBe('v');
  });
});

describe('the errors AbstractBackend makes', () => {
  it("name the engine's package as origin: STORE_CLOSED and NOT_SUPPORTED", async () => {
    const backend = new MapBackend();
    const closed = (await failureOf(backend.get('k'))) as StowageError;
    expect(closed).toMatchObject({ code: 'STORE_CLOSED', origin: '@stowage/core-test' });
    await backend.open();
    const unsupported = (await failureOf(backend.versions('k'))) as StowageError;
    expect(unsupported).toMatchObject({ code: 'NOT_SUPPORTED', origin: '@stowage/core-test' });
    await backend.close();
  });
});

describe('run', () => {
  it('hands back a rejection with null or undefined as it is', async () => {
    const backend = new MapBackend();
    await backend.open();
    const guarded = backend as unknown as { run<T>(operation: () => Promise<T>): Promise<T> };
    expect(await failureOf(guarded.run(() => Promise.reject(null)))).toBeNull();
    expect(await failureOf(guarded.run(() => Promise.reject(undefined)))).toBeUndefined();
    await backend.close();
  });
});
