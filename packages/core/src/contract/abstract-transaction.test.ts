import { describe, expect, it } from 'vitest';
import { codeOf, TransactionalBackend } from '../test-backends.fixture.js';
import { AbstractTransaction, overError } from './abstract-transaction.js';
import { StowageError } from './errors.js';
import type { BackendTransaction, EncodedValue, WriteOptions } from './storage-backend.js';

/** A transaction over a plain Map, recording what reached its hooks; hooks fail on demand. */
class RecordingTransaction extends AbstractTransaction {
  readonly calls: string[] = [];
  readonly written = new Map<string, { value: EncodedValue | undefined; options: WriteOptions | undefined }>();
  committed = false;
  failHook: Error | undefined;
  failCommit: unknown;
  duringCommit: (() => void) | undefined;

  constructor(readonly data = new Map<string, EncodedValue>()) {
    super('@stowage/tx-test', { maxKeyBytes: 8, maxValueBytes: 16 });
  }
  protected _get(key: string): EncodedValue | undefined {
    this.calls.push(`get ${key}`);
    if (this.failHook) throw this.failHook;
    return this.written.has(key) ? this.written.get(key)?.value : this.data.get(key);
  }
  protected async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
    this.calls.push(`set ${key}`);
    await Promise.resolve();
    if (this.failHook) throw this.failHook;
    this.written.set(key, { value, options });
  }
  protected async _delete(key: string): Promise<boolean> {
    this.calls.push(`delete ${key}`);
    const present = this._get(key) !== undefined;
    this.written.set(key, { value: undefined, options: undefined });
    return present;
  }
  protected async _commit(): Promise<void> {
    this.calls.push('commit');
    this.duringCommit?.();
    if (this.failCommit !== undefined) throw this.failCommit;
    for (const [key, { value }] of this.written) {
      if (value === undefined) this.data.delete(key);
      else this.data.set(key, value);
    }
    this.committed = true;
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

describe('AbstractTransaction: the same checks as a plain write', () => {
  it.each([
    ['a number key', () => [42, 'v'], 'INVALID_KEY'],
    ['a key with a lone surrogate', () => ['\ud800', 'v'], 'INVALID_KEY'],
    ['a key over maxKeyBytes (9 UTF-8 bytes)', () => ['ééééx', 'v'], 'INVALID_KEY'],
    ['a number value', () => ['k', 7], 'INVALID_VALUE'],
    ['a value with a lone surrogate', () => ['k', 'a\udc00'], 'INVALID_VALUE'],
    ['a value over maxValueBytes', () => ['k', new Uint8Array(17)], 'INVALID_VALUE'],
  ] as const)('refuses %s before the hook sees it', async (_, args, code) => {
    const tx = new RecordingTransaction();
    await tx.execute(async (view) => {
      const [key, value] = args();
      expect(await codeOf(view.set(key as string, value as EncodedValue))).toBe(code);
      if (code === 'INVALID_KEY') {
        expect(await codeOf(view.get(key as string))).toBe(code);
        expect(await codeOf(view.delete(key as string))).toBe(code);
      }
    });
    expect(tx.calls).toEqual(['commit']);
    expect(tx.data.size).toBe(0);
  });

  it.each([
    ['NaN', { expiresAt: Number.NaN }],
    ['Infinity', { expiresAt: Number.POSITIVE_INFINITY }],
    ['-Infinity', { expiresAt: Number.NEGATIVE_INFINITY }],
    ['a string', { expiresAt: '1700000000000' }],
    ['null options', null],
    ['a string as options', 'soon'],
  ])('refuses an expiry of %s with INVALID_ARGUMENT', async (_, options) => {
    const tx = new RecordingTransaction();
    await tx.execute(async (view) => {
      expect(await codeOf(view.set('k', 'v', options as never))).toBe('INVALID_ARGUMENT');
    });
    expect(tx.calls).toEqual(['commit']);
  });

  it('hands the hooks exactly the checked arguments (options {} when omitted)', async () => {
    const tx = new RecordingTransaction(new Map([['a', 'old']]));
    await tx.execute(async (view) => {
      await view.set('k', 'v', { expiresAt: 5 });
      await view.set('j', 'w');
      expect(await view.get('a')).toBe('old');
      expect(await view.delete('a')).toBe(true);
    });
    expect(tx.written.get('k')).toEqual({ value: 'v', options: { expiresAt: 5 } });
    expect(tx.written.get('j')).toEqual({ value: 'w', options: {} });
    expect(tx.calls).toEqual(['set k', 'set j', 'get a', 'delete a', 'get a', 'commit']);
    expect([...tx.data]).toEqual([
      ['k', 'v'],
      ['j', 'w'],
    ]);
  });
});

describe('AbstractTransaction: the finished-guard', () => {
  it('refuses a view kept past a body that resolved, with the one "over" error', async () => {
    const tx = new RecordingTransaction();
    let kept: BackendTransaction | undefined;
    await tx.execute(async (view) => {
      kept = view;
    });
    expect(tx.finished).toBe(true);
    for (const call of [kept!.get('k'), kept!.set('k', 'v'), kept!.delete('k')]) {
      const error = await failureOf(call);
      expect(StowageError.is(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toBe(overError('@stowage/tx-test').message);
    }
    expect(tx.calls).toEqual(['commit']);
  });

  it('refuses a view kept past a body that threw, and commits nothing', async () => {
    const tx = new RecordingTransaction();
    let kept: BackendTransaction | undefined;
    await tx
      .execute(async (view) => {
        kept = view;
        await view.set('k', 'v');
        throw new Error('changed my mind');
      })
      .catch(() => undefined);
    expect(await codeOf(kept!.set('k', 'v'))).toBe('INVALID_ARGUMENT');
    expect(tx.committed).toBe(false);
    expect(tx.calls).toEqual(['set k']);
    expect(tx.data.size).toBe(0);
  });

  it('is finished while the commit runs: a late call cannot slip into the commit', async () => {
    const tx = new RecordingTransaction();
    let during: Promise<string | undefined> | undefined;
    tx.duringCommit = () => {
      during = codeOf(tx.set('sneak', 'v'));
    };
    await tx.execute(async (view) => view.set('k', 'v'));
    expect(await during).toBe('INVALID_ARGUMENT');
    expect([...tx.data.keys()]).toEqual(['k']);
  });

  it('waits for calls the body started but did not await, then commits them', async () => {
    const tx = new RecordingTransaction();
    await tx.execute(async (view) => {
      void view.set('late', 'v'); // a forgotten await: the write still belongs to the body
    });
    expect(tx.calls).toEqual(['set late', 'commit']);
    expect(tx.data.get('late')).toBe('v');
  });

  it('waits for a call the body did not await however long it takes, then commits it', async () => {
    class SlowSet extends RecordingTransaction {
      protected override async _set(key: string, value: EncodedValue, options: WriteOptions): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return super._set(key, value, options);
      }
    }
    const tx = new SlowSet();
    await tx.execute(async (view) => {
      void view.set('late', 'v');
    });
    expect(tx.calls).toEqual(['set late', 'commit']);
    expect(tx.data.get('late')).toBe('v');
  });

  it('is not finished while its body runs', async () => {
    const tx = new RecordingTransaction();
    expect(tx.finished).toBe(false);
    await tx.execute(async () => {
      expect(tx.finished).toBe(false);
    });
    expect(tx.finished).toBe(true);
  });

  it('gives its own origin to the refusals it makes: a second body, a late call, reading expiries it cannot', async () => {
    const tx = new RecordingTransaction();
    let kept: BackendTransaction | undefined;
    const unsupported = await tx.execute(async (view) => {
      kept = view;
      return failureOf(view.getWithExpiry('k'));
    });
    expect(StowageError.is(unsupported, 'NOT_SUPPORTED')).toBe(true);
    expect((unsupported as StowageError).origin).toBe('@stowage/tx-test');
    const late = await failureOf(kept!.get('k'));
    expect((late as StowageError).origin).toBe('@stowage/tx-test');
    const second = await failureOf(tx.execute(async () => undefined));
    expect(StowageError.is(second, 'INVALID_ARGUMENT')).toBe(true);
    expect((second as StowageError).origin).toBe('@stowage/tx-test');
  });

  it('runs one body only, and refuses a body that is not a function', async () => {
    const tx = new RecordingTransaction();
    await tx.execute(async () => undefined);
    expect(await codeOf(tx.execute(async () => undefined))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(new RecordingTransaction().execute('nope' as never))).toBe('INVALID_ARGUMENT');
  });
});

describe('AbstractTransaction: errors', () => {
  it.each([
    ['an Error', new Error('mine')],
    ['an error with a string code', Object.assign(new Error('looks like fs'), { code: 'ENOENT' })],
    ['a StowageError', new StowageError('CONFLICT', 'retry me')],
    ['a string', 'just a string'],
  ])("hands the body's own rejection back unchanged: %s", async (_, thrown) => {
    const tx = new RecordingTransaction();
    const error = await failureOf(
      tx.execute(async () => {
        throw thrown;
      }),
    );
    expect(error).toBe(thrown);
    expect(tx.committed).toBe(false);
  });

  it('turns a failing hook into a StowageError with the cause (and the body sees it)', async () => {
    const tx = new RecordingTransaction();
    const cause = Object.assign(new Error('disk gone'), { code: 'EIO' });
    tx.failHook = cause;
    let seen: unknown;
    await tx.execute(async (view) => {
      seen = await failureOf(view.get('k'));
      expect(await codeOf(view.set('k', 'v'))).toBe('IO');
    });
    expect(StowageError.is(seen, 'IO')).toBe(true);
    expect((seen as Error).cause).toBe(cause);
    expect((seen as Error).message).toBe('[@stowage/tx-test] transaction read failed: disk gone');
  });

  it('turns a failing commit into a StowageError; a CONFLICT stays a CONFLICT', async () => {
    const readOnly = new RecordingTransaction();
    readOnly.failCommit = Object.assign(new Error('read-only file system'), { code: 'EROFS' });
    const error = await failureOf(readOnly.execute(async (view) => view.set('k', 'v')));
    expect(StowageError.is(error, 'READ_ONLY')).toBe(true);
    expect((error as Error).message).toContain('transaction commit failed: read-only file system');

    const conflict = new StowageError('CONFLICT', 'k changed', { origin: '@stowage/tx-test' });
    const losing = new RecordingTransaction();
    losing.failCommit = conflict;
    expect(await failureOf(losing.execute(async (view) => view.set('k', 'v')))).toBe(conflict);
  });
});

describe('AbstractTransaction through a backend (the test engine)', () => {
  it('commits through _commit and refuses the view afterwards', async () => {
    const backend = new TransactionalBackend();
    await backend.open();
    let kept: BackendTransaction | undefined;
    const result = await backend.transaction(async (tx) => {
      kept = tx;
      await tx.set('a', '1', { expiresAt: Date.now() + 60_000 });
      return 'done';
    });
    expect(result).toBe('done');
    expect(backend.data.get('a')).toBe('1');
    expect(backend.expiries.has('a')).toBe(true);
    expect(await codeOf(kept!.get('a'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(backend.transaction(async (tx) => tx.set('b', 'v', { expiresAt: Number.NaN })))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(backend.data.has('b')).toBe(false);
    await backend.close();
  });
});
