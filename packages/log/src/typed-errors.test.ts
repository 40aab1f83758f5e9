/** Bad arguments to the log's own methods and misspelled options are typed StowageErrors, and change nothing. */
import { StowageError } from '@stowage/core';
import { SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { LogBackend } from './log-backend.js';
import type { LogBackendOptions } from './options.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(StowageError.is(error), String(error)).toBe(true);
  return (error as StowageError).code;
}

describe('typed errors', () => {
  it('transaction with something other than a function is INVALID_ARGUMENT and writes nothing', async () => {
    const log = await openLog();
    await log.set('a', '1');
    for (const body of ['nope', null, undefined, 42, {}]) {
      expect(await code(log.transaction(body as never))).toBe('INVALID_ARGUMENT');
    }
    expect((await log.stats()).lastSequence).toBe(1);
  });

  it('merge with options that are not an object is INVALID_ARGUMENT; an unknown option is INVALID_CONFIG', async () => {
    const log = await openLog();
    for (const options of [null, 'x', 3, []]) {
      expect(await code(log.merge(options as never))).toBe('INVALID_ARGUMENT');
    }
    const error = await log.merge({ keepVersion: 2 } as never).catch((caught: unknown) => caught);
    expect(StowageError.is(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as StowageError).message).toContain('keepVersions');
    expect((await log.stats()).lastMerge).toBeUndefined();
  });

  it('a misspelled option name is INVALID_CONFIG naming the closest valid one', () => {
    const attempt = () => new LogBackend({ dir: tempDir(), maxFilesize: 4096 } as LogBackendOptions);
    expect(attempt).toThrow(StowageError);
    try {
      attempt();
    } catch (error) {
      expect((error as StowageError).code).toBe('INVALID_CONFIG');
      expect((error as StowageError).message).toContain('maxFileSize');
    }
  });

  it("the log's own errors name it as their origin, and an IO error the file", async () => {
    const config = (() => {
      try {
        return new LogBackend({ dir: '' });
      } catch (error) {
        return error;
      }
    })();
    expect(config).toMatchObject({ code: 'INVALID_CONFIG', origin: '@stowage/log' });
    const log = await openLog();
    await expect(log.merge({ keepVersions: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      origin: '@stowage/log',
    });
    const disk = new SimulatedDisk();
    const onDisk = new LogBackend({ dir: '/store', fs: disk.mount() });
    await onDisk.open();
    disk.failNext('append', 'EIO');
    await expect(onDisk.set('k', 'v')).rejects.toMatchObject({
      code: 'IO',
      origin: '@stowage/log',
      file: '/store/000001.data',
    });
    await onDisk.close();
  });
});
