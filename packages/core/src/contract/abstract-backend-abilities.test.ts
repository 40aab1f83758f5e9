import { describe, expect, it } from 'vitest';
import { codeOf, latch, MapBackend, TransactionalBackend } from '../test-backends.fixture.js';
import { StowageError } from './errors.js';
import type { EncodedValue, StorageBackend, VersionInfo } from './storage-backend.js';

/** An engine that keeps versions, recording what reached its hooks. */
class VersionedBackend extends MapBackend {
  readonly hookCalls: unknown[][] = [];
  constructor() {
    super({ supports: { versions: true } });
  }
  protected override async _versions(key: string): Promise<VersionInfo[]> {
    this.hookCalls.push(['versions', key]);
    return [{ sequence: 1, timestamp: 0, deleted: false }];
  }
  protected override async _getVersion(key: string, sequence: number): Promise<EncodedValue | undefined> {
    this.hookCalls.push(['getVersion', key, sequence]);
    return `${key}@${sequence}`;
  }
}

async function opened<B extends StorageBackend>(backend: B): Promise<B> {
  await backend.open();
  return backend;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('AbstractBackend.transaction', () => {
  it.each([
    ['a string', 'nope'],
    ['null', null],
    ['undefined', undefined],
  ])('refuses %s as body with INVALID_ARGUMENT (also where transactions are not offered)', async (_, body) => {
    for (const backend of [await opened(new TransactionalBackend()), await opened(new MapBackend())]) {
      expect(await codeOf(backend.transaction(body as never))).toBe('INVALID_ARGUMENT');
    }
  });

  it('answers NOT_SUPPORTED without supports.transactions, never running the body', async () => {
    const backend = await opened(new MapBackend());
    let ran = false;
    const error = await failureOf(
      backend.transaction(async () => {
        ran = true;
      }),
    );
    expect(StowageError.is(error, 'NOT_SUPPORTED')).toBe(true);
    expect((error as Error).message).toContain('does not offer transaction');
    expect(ran).toBe(false);
  });

  it('answers NOT_SUPPORTED when an engine declares transactions but writes no _transaction hook', async () => {
    const backend = await opened(new MapBackend({ supports: { transactions: true } }));
    const error = await failureOf(backend.transaction(async () => 1));
    expect(StowageError.is(error, 'NOT_SUPPORTED')).toBe(true);
    expect((error as Error).message).toContain('_transaction is missing');
  });

  it.each([
    ['an Error', new TypeError('mine')],
    ['an error with a string code (it would look like a system error)', Object.assign(new Error('x'), { code: 'EIO' })],
    ['a StowageError', new StowageError('INVALID_KEY', 'my own')],
    ['a plain object', { reason: 'nope' }],
  ])("hands the body's own rejection back by identity: %s", async (_, thrown) => {
    const backend = await opened(new TransactionalBackend());
    const error = await failureOf(
      backend.transaction(async (tx) => {
        await tx.set('k', 'v');
        throw thrown;
      }),
    );
    expect(error).toBe(thrown);
    expect(backend.data.has('k')).toBe(false);
  });

  it("turns the engine's own failure (a failing commit) into a StowageError with the cause", async () => {
    const backend = await opened(new TransactionalBackend());
    const cause = new Error('commit blew up');
    backend.failWith = (operation) => (operation === 'apply' ? cause : undefined);
    const error = await failureOf(backend.transaction(async (tx) => tx.set('k', 'v')));
    expect(StowageError.is(error, 'IO')).toBe(true);
    expect((error as Error).cause).toBe(cause);
    expect(backend.data.has('k')).toBe(false);
  });

  it('counts as in flight: close waits for a running transaction', async () => {
    const backend = await opened(new TransactionalBackend());
    const gate = latch();
    const running = backend.transaction(async (tx) => {
      await gate.promise;
      await tx.set('k', 'v');
    });
    const closing = backend.close();
    gate.release();
    await running;
    await closing;
    expect(backend.data.get('k')).toBe('v');
  });
});

describe('AbstractBackend.sweepExpired', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a string', '1700000000000'],
    ['undefined', undefined],
  ])('refuses %s as now with INVALID_ARGUMENT, deleting nothing', async (_, now) => {
    const backend = await opened(new MapBackend({ supports: { nativeTtl: true } }));
    await backend.set('k', 'v', { expiresAt: 1 });
    expect(await codeOf(backend.sweepExpired(now as never))).toBe('INVALID_ARGUMENT');
    expect(backend.data.get('k')).toBe('v');
    expect(backend.calls.sweep).toBe(0);
  });

  it('answers NOT_SUPPORTED without supports.nativeTtl', async () => {
    const backend = await opened(new MapBackend());
    expect(await codeOf(backend.sweepExpired(Date.now()))).toBe('NOT_SUPPORTED');
    expect(backend.calls.sweep).toBe(0);
  });

  it('calls the hook with now and returns its count', async () => {
    const backend = await opened(new MapBackend({ supports: { nativeTtl: true } }));
    await backend.set('due', 'v', { expiresAt: 10 });
    await backend.set('later', 'v', { expiresAt: 30 });
    expect(await backend.sweepExpired(10)).toBe(1);
    expect([...backend.data.keys()]).toEqual(['later']);
  });
});

describe('AbstractBackend.versions and getVersion', () => {
  it('check the key, then call the hook with exactly the arguments', async () => {
    const backend = await opened(new VersionedBackend());
    expect(await backend.versions('k')).toEqual([{ sequence: 1, timestamp: 0, deleted: false }]);
    expect(await backend.getVersion('k', 0)).toBe('k@0');
    expect(await backend.getVersion('k', Number.MAX_SAFE_INTEGER)).toBe(`k@${Number.MAX_SAFE_INTEGER}`);
    expect(await codeOf(backend.versions(7 as never))).toBe('INVALID_KEY');
    expect(await codeOf(backend.getVersion('\udfff', 1))).toBe('INVALID_KEY');
    expect(backend.hookCalls).toEqual([
      ['versions', 'k'],
      ['getVersion', 'k', 0],
      ['getVersion', 'k', Number.MAX_SAFE_INTEGER],
    ]);
  });

  it.each([
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^53', 2 ** 53],
    ['a string', '1'],
  ])('refuses a sequence of %s with INVALID_ARGUMENT', async (_, sequence) => {
    const backend = await opened(new VersionedBackend());
    expect(await codeOf(backend.getVersion('k', sequence as never))).toBe('INVALID_ARGUMENT');
    expect(backend.hookCalls).toEqual([]);
  });

  it('answer NOT_SUPPORTED without supports.versions, or without the hooks', async () => {
    const plain = await opened(new MapBackend());
    expect(await codeOf(plain.versions('k'))).toBe('NOT_SUPPORTED');
    expect(await codeOf(plain.getVersion('k', 1))).toBe('NOT_SUPPORTED');
    const hookless = await opened(new MapBackend({ supports: { versions: true } }));
    const error = await failureOf(hookless.versions('k'));
    expect(StowageError.is(error, 'NOT_SUPPORTED')).toBe(true);
    expect((error as Error).message).toContain('_versions is missing');
    expect(await codeOf(hookless.getVersion('k', 1))).toBe('NOT_SUPPORTED');
  });
});

describe('the abilities obey the lifecycle', () => {
  it('refuse every call before open and after close with STORE_CLOSED', async () => {
    for (const backend of [new VersionedBackend(), new TransactionalBackend()]) {
      const calls = () => [
        backend.transaction(async () => 1),
        backend.sweepExpired(1),
        backend.versions('k'),
        backend.getVersion('k', 1),
      ];
      for (const call of calls()) expect(await codeOf(call)).toBe('STORE_CLOSED');
      await backend.open();
      await backend.close();
      for (const call of calls()) expect(await codeOf(call)).toBe('STORE_CLOSED');
    }
  });

  it('an engine that still defines an ability publicly keeps its own method', async () => {
    class OwnSweep extends MapBackend {
      override readonly sweepExpired = async (now: number): Promise<number> => now;
    }
    const backend = await opened(new OwnSweep());
    expect(await backend.sweepExpired(5)).toBe(5);
  });
});
