/**
 * What AbstractBackend holds between the caller and an engine's hooks beyond the argument
 * checks: an ability the manifest does not declare is refused even when the engine wrote
 * its hook; flush reaches the engine; and any failure of an engine's transaction machinery
 * (not the body's own error) reaches the caller as a StowageError.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, MapBackend } from '../test-backends.fixture.js';
import { StowageError } from './errors.js';
import type { BackendTransaction, EncodedValue, VersionInfo } from './storage-backend.js';

/** Writes the version hooks and a flush, but declares no versions. */
class UndeclaredVersions extends MapBackend {
  readonly hookCalls: string[] = [];
  protected override async _versions(): Promise<VersionInfo[]> {
    this.hookCalls.push('versions');
    return [];
  }
  protected override async _getVersion(): Promise<EncodedValue | undefined> {
    this.hookCalls.push('getVersion');
    return 'v';
  }
  protected override async _flush(): Promise<void> {
    this.hookCalls.push('flush');
  }
}

/** A transaction engine whose machinery fails the way `fail` says, after running the body. */
class FailingTransactions extends MapBackend {
  constructor(private readonly fail: (bodyError: unknown) => unknown) {
    super({ supports: { transactions: true, atomicBatch: true } });
  }
  protected override async _transaction<T>(body: (tx: BackendTransaction) => Promise<T>): Promise<T> {
    let bodyError: unknown;
    try {
      await body({} as BackendTransaction);
    } catch (error) {
      bodyError = error;
    }
    throw this.fail(bodyError);
  }
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('an ability the manifest does not declare', () => {
  it('is NOT_SUPPORTED even though the engine wrote its hooks, which are never called', async () => {
    const backend = new UndeclaredVersions();
    await backend.open();
    expect(await codeOf(backend.versions('k'))).toBe('NOT_SUPPORTED');
    expect(await codeOf(backend.getVersion('k', 1))).toBe('NOT_SUPPORTED');
    expect(backend.hookCalls).toEqual([]);
    await backend.close();
  });

  it('is NOT_SUPPORTED for transactions too, without running the hook or the body', async () => {
    let hookRan = false;
    let bodyRan = false;
    class UndeclaredTransactions extends MapBackend {
      protected override async _transaction<T>(body: (tx: BackendTransaction) => Promise<T>): Promise<T> {
        hookRan = true;
        return body({} as BackendTransaction);
      }
    }
    const backend = new UndeclaredTransactions();
    await backend.open();
    const outcome = await codeOf(
      backend.transaction(async () => {
        bodyRan = true;
      }),
    );
    expect(outcome).toBe('NOT_SUPPORTED');
    expect({ hookRan, bodyRan }).toEqual({ hookRan: false, bodyRan: false });
    await backend.close();
  });
});

describe('flush', () => {
  it("calls the engine's _flush hook", async () => {
    const backend = new UndeclaredVersions();
    await backend.open();
    await backend.flush();
    expect(backend.hookCalls).toEqual(['flush']);
    await backend.close();
  });
});

describe("a failure of the engine's transaction machinery", () => {
  it.each([
    ['a plain Error', () => new Error('disk gone')],
    ['a rejection without a value', () => undefined],
  ])('is a StowageError when the body succeeded and the engine fails with %s', async (_, failure) => {
    const thrown = failure();
    const backend = new FailingTransactions(() => thrown);
    await backend.open();
    const error = await failureOf(backend.transaction(async () => 1));
    expect(StowageError.is(error)).toBe(true);
    if (thrown !== undefined) expect((error as Error).cause).toBe(thrown);
    await backend.close();
  });

  it("is a StowageError even after the body failed, when the engine rejects with an error of its own (not the body's)", async () => {
    const rollback = new Error('rollback failed');
    const backend = new FailingTransactions(() => rollback);
    await backend.open();
    const error = await failureOf(
      backend.transaction(async () => {
        throw new Error('body gave up');
      }),
    );
    expect(StowageError.is(error)).toBe(true);
    expect((error as Error).cause).toBe(rollback);
    await backend.close();
  });

  it("passes the body's own error through unchanged when the engine rethrows it", async () => {
    const backend = new FailingTransactions((bodyError) => bodyError);
    await backend.open();
    const mine = new Error('body gave up');
    const error = await failureOf(
      backend.transaction(async () => {
        throw mine;
      }),
    );
    expect(error).toBe(mine);
    await backend.close();
  });
});
