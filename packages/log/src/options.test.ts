/**
 * The options of a LogBackend and of its merge: the defaults they stand for, each bound
 * accepted and the value just past it refused, and the code of the refusal
 * (INVALID_CONFIG for the constructor, INVALID_ARGUMENT for merge's own argument).
 */
import { StowageError } from '@stowage/core';
import { nodeFileSystem } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FILE_SIZE, MAX_FILE_SIZE_LIMIT } from './limits.js';
import { LogBackend } from './log-backend.js';
import { checkMergeOptions, type LogBackendOptions, resolveOptions } from './options.js';
import { openLog } from './test-helpers.fixture.js';

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (StowageError.is(error)) return error.code;
    throw error;
  }
  return undefined;
}

const config = (options: unknown) => refusal(() => resolveOptions(options as LogBackendOptions));

describe('LogBackend options', () => {
  it('stand for the real disk, batch durability, 64 MiB files and one version kept when not given', () => {
    expect(resolveOptions({ dir: 'store' })).toEqual({
      fs: nodeFileSystem,
      dir: 'store',
      durability: 'batch',
      maxFileSize: DEFAULT_MAX_FILE_SIZE,
      keepVersions: 1,
    });
    expect(DEFAULT_MAX_FILE_SIZE).toBe(64 * 1024 * 1024);
    const fs = { ...nodeFileSystem };
    expect(resolveOptions({ dir: 'store', fs, durability: 'always', maxFileSize: 4096, keepVersions: 3 })).toEqual({
      fs,
      dir: 'store',
      durability: 'always',
      maxFileSize: 4096,
      keepVersions: 3,
    });
  });

  it('accept every durability the log offers and refuse the rest', () => {
    for (const durability of ['none', 'batch', 'always'] as const) {
      expect(resolveOptions({ dir: 'store', durability }).durability).toBe(durability);
    }
    expect(config({ dir: 'store', durability: 'os' })).toBe('INVALID_CONFIG');
  });

  it('refuse a missing or non-object options argument, a missing or empty dir, and an unknown option', () => {
    expect(config(undefined)).toBe('INVALID_CONFIG');
    expect(config(null)).toBe('INVALID_CONFIG');
    expect(config('store')).toBe('INVALID_CONFIG');
    expect(config({})).toBe('INVALID_CONFIG');
    expect(config({ dir: '' })).toBe('INVALID_CONFIG');
    expect(config({ dir: 7 })).toBe('INVALID_CONFIG');
    expect(config({ dir: 'store', maxFilesize: 4096 })).toBe('INVALID_CONFIG');
  });

  it('take maxFileSize from 1024 to the limit, whole numbers only', () => {
    expect(config({ dir: 'store', maxFileSize: 1024 })).toBeUndefined();
    expect(config({ dir: 'store', maxFileSize: 1023 })).toBe('INVALID_CONFIG');
    expect(config({ dir: 'store', maxFileSize: MAX_FILE_SIZE_LIMIT })).toBeUndefined();
    expect(config({ dir: 'store', maxFileSize: MAX_FILE_SIZE_LIMIT + 1 })).toBe('INVALID_CONFIG');
    expect(config({ dir: 'store', maxFileSize: 2048.5 })).toBe('INVALID_CONFIG');
    // Record offsets are u32: a file may overshoot the limit by one record and still be addressed.
    expect(MAX_FILE_SIZE_LIMIT).toBe(1024 * 1024 * 1024);
  });

  it('take keepVersions from 1 on, whole numbers only', () => {
    expect(config({ dir: 'store', keepVersions: 1 })).toBeUndefined();
    expect(config({ dir: 'store', keepVersions: 0 })).toBe('INVALID_CONFIG');
    expect(config({ dir: 'store', keepVersions: 1.5 })).toBe('INVALID_CONFIG');
  });

  it('are checked by the constructor and by repair, before any file is touched', async () => {
    expect(refusal(() => new LogBackend({ dir: 'store', keepVersions: 0 }))).toBe('INVALID_CONFIG');
    await expect(Promise.resolve().then(() => LogBackend.repair({ dir: '' }))).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
  });
});

describe('merge options', () => {
  it('take an object with keepVersions from 1 on, or nothing', () => {
    expect(refusal(() => checkMergeOptions({}))).toBeUndefined();
    expect(refusal(() => checkMergeOptions({ keepVersions: undefined }))).toBeUndefined();
    expect(refusal(() => checkMergeOptions({ keepVersions: 1 }))).toBeUndefined();
    expect(refusal(() => checkMergeOptions({ keepVersions: 0 }))).toBe('INVALID_ARGUMENT');
    expect(refusal(() => checkMergeOptions({ keepVersions: 2.5 }))).toBe('INVALID_ARGUMENT');
  });

  it('refuse what is not an options object as INVALID_ARGUMENT, and an unknown option', () => {
    for (const options of [null, [], 3, 'keepVersions']) {
      expect(refusal(() => checkMergeOptions(options))).toBe('INVALID_ARGUMENT');
    }
    expect(refusal(() => checkMergeOptions({ keepVersion: 2 }))).toBe('INVALID_CONFIG');
  });

  it('a merge with keepVersions keeps that many of the newest versions, whatever the store was opened with', async () => {
    const log = await openLog({ maxFileSize: 1024 });
    for (let round = 0; round < 4; round++) await log.set('k', `round-${round}-${'y'.repeat(300)}`);
    await log.set('other', 'z'.repeat(900));
    await log.merge({ keepVersions: 2 });
    expect((await log.versions('k')).length).toBe(2);
  });
});
