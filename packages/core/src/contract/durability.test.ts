import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../map/persistent-map.js';
import { BareBackend, MapBackend } from '../test-backends.fixture.js';
import { assertDurabilityLevels, resolveDurability } from './durability.js';
import { StowageError } from './errors.js';
import { CONTRACT_VERSION, DURABILITY_LEVELS, type StorageBackend } from './storage-backend.js';

function refusal(run: () => unknown): StowageError {
  try {
    run();
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('resolveDurability', () => {
  const choice = {
    default: 'batch',
    offered: ['none', 'batch'],
    aliases: { relaxed: 'none', full: 'always' },
  } as const;

  it('answers the default, an offered level, or the level an alias stands for', () => {
    expect(resolveDurability('o', undefined, choice)).toBe('batch');
    expect(resolveDurability('o', 'none', choice)).toBe('none');
    expect(resolveDurability('o', 'relaxed', choice)).toBe('none');
    expect(resolveDurability('o', 'always', { default: 'none' })).toBe('always');
  });

  it('refuses a level the engine does not offer, even through an alias', () => {
    expect(refusal(() => resolveDurability('o', 'always', choice)).code).toBe('INVALID_CONFIG');
    expect(refusal(() => resolveDurability('o', 'full', choice)).code).toBe('INVALID_CONFIG');
  });

  it('refuses anything else with INVALID_CONFIG naming what is accepted and the closest name', () => {
    const error = refusal(() => resolveDurability('@stowage/x', 'bacth', choice));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      '[@stowage/x] durability must be one of "none", "batch", "relaxed", got "bacth"; did you mean "batch"?',
    );
    expect(refusal(() => resolveDurability('o', true, choice)).message).toContain('got true');
    expect(refusal(() => resolveDurability('o', 'toString', choice)).code).toBe('INVALID_CONFIG');
  });

  it('refuses a non-string that reads as a level or an alias name', () => {
    // An array of one name turns into that name as a property key: it must not pass for it.
    expect(refusal(() => resolveDurability('o', ['relaxed'], choice)).code).toBe('INVALID_CONFIG');
    expect(refusal(() => resolveDurability('o', ['none'], choice)).code).toBe('INVALID_CONFIG');
  });
});

describe('a manifest names only DurabilityLevels', () => {
  it('AbstractBackend refuses an unknown level, a repeated one, or a non-array at construction', () => {
    for (const durability of [['fsync'], ['batch', 'batch'], 'always', [undefined]]) {
      const error = refusal(() => new MapBackend({ supports: { persistent: true, durability: durability as never } }));
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.origin).toBe('@stowage/core-test');
    }
    expect(new MapBackend({ supports: { durability: ['none', 'batch', 'always'] } }).supports.durability).toEqual(
      DURABILITY_LEVELS,
    );
    expect(new MapBackend().supports.durability).toEqual([]);
  });

  it('assertDurabilityLevels refuses what is not an array with INVALID_CONFIG from the given origin', () => {
    for (const levels of [undefined, null, 5, { 0: 'none' }]) {
      const error = refusal(() => assertDurabilityLevels('@stowage/x', levels));
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.origin).toBe('@stowage/x');
    }
  });

  it('assertDurabilityLevels accepts every subset of the levels', () => {
    for (const levels of [[], ['none'], ['always'], ['none', 'batch', 'always']]) {
      expect(() => assertDurabilityLevels('o', levels)).not.toThrow();
    }
  });
});

describe('contractVersion', () => {
  it('AbstractBackend declares the current version, and the version is 3', () => {
    expect(CONTRACT_VERSION).toBe(3);
    expect(new MapBackend().contractVersion).toBe(CONTRACT_VERSION);
  });

  it('PersistentMap opens a backend without a version (1) and one of the current version', async () => {
    const bare = new BareBackend();
    expect((bare as StorageBackend).contractVersion).toBeUndefined();
    await (await PersistentMap.open(bare, { sweepInterval: 0 })).close();
    await (await PersistentMap.open(new MapBackend(), { sweepInterval: 0 })).close();
  });

  it('PersistentMap refuses a backend of a newer version with INVALID_CONFIG, before opening it', async () => {
    const future = Object.assign(new BareBackend(), { contractVersion: CONTRACT_VERSION + 1 });
    await expect(PersistentMap.open(future)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: `[@stowage/core] the bare backend implements contract version 4, but this @stowage/core knows versions up to 3: upgrade @stowage/core`,
    });
    expect(future.state).toBe('new');
  });

  it.each([0, 1.5, '2', Number.NaN])('PersistentMap refuses a contractVersion of %s', async (version) => {
    const odd = Object.assign(new BareBackend(), { contractVersion: version });
    await expect(PersistentMap.open(odd as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
