import { readFileSync } from 'node:fs';
import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './limits.js';
import { LogBackend } from './log-backend.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

describe('LogBackend reads and writes', () => {
  it('returns what was set, with strings and bytes keeping their type', async () => {
    const log = await openLog();
    await log.set('text', 'héllo');
    await log.set('bytes', new Uint8Array([1, 2, 3]));
    await log.set('empty', '');
    expect(await log.get('text')).toBe('héllo');
    expect(await log.get('bytes')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await log.get('bytes')).toBeInstanceOf(Uint8Array);
    expect(await log.get('empty')).toBe('');
    expect(await log.get('missing')).toBeUndefined();
  });

  it('deletes and reports whether the key was there', async () => {
    const log = await openLog();
    await log.set('a', '1');
    expect(await log.delete('a')).toBe(true);
    expect(await log.delete('a')).toBe(false);
    expect(await log.get('a')).toBeUndefined();
    expect(await log.size()).toBe(0);
  });

  it('keeps everything across close and reopen', async () => {
    const dir = tempDir();
    const first = await openLog({ dir });
    for (let i = 0; i < 100; i++) await first.set(`k${i}`, `v${i}`);
    await first.delete('k5');
    await first.set('k6', new Uint8Array([6]));
    await first.close();
    const second = await openLog({ dir });
    expect(await second.size()).toBe(99);
    expect(await second.get('k5')).toBeUndefined();
    expect(await second.get('k6')).toEqual(new Uint8Array([6]));
    expect(await second.get('k99')).toBe('v99');
  });

  it('rotates data files at maxFileSize and reads across them', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 4096 });
    for (let i = 0; i < 200; i++) await log.set(`key-${i}`, 'x'.repeat(100));
    const stats = await log.stats();
    expect(stats.files.length).toBeGreaterThan(3);
    for (const file of stats.files) expect(file.bytes).toBeLessThanOrEqual(4096);
    await log.close();
    const again = await openLog({ dir, maxFileSize: 4096 });
    expect(await again.get('key-0')).toBe('x'.repeat(100));
    expect(await again.size()).toBe(200);
  });

  it('iterates every entry within a range', async () => {
    const log = await openLog();
    await log.apply([
      { type: 'set', key: 'a1', value: '1' },
      { type: 'set', key: 'a2', value: '2' },
      { type: 'set', key: 'b1', value: '3' },
    ]);
    const all: [string, unknown][] = [];
    for await (const entry of log.entries({ prefix: 'a' })) all.push(entry);
    expect(all.sort()).toEqual([
      ['a1', '1'],
      ['a2', '2'],
    ]);
    await log.clear({ prefix: 'a' });
    expect(await log.getMany(['a1', 'a2', 'b1'])).toEqual([undefined, undefined, '3']);
  });

  it('refuses oversize keys and values before writing anything', async () => {
    const log = await openLog();
    await expect(log.set('k'.repeat(MAX_KEY_BYTES + 1), 'v')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(log.set('k', new Uint8Array(MAX_VALUE_BYTES + 1))).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    expect((await log.stats()).lastSequence).toBe(0);
    await log.set('k'.repeat(MAX_KEY_BYTES), 'longest key');
    expect(await log.get('k'.repeat(MAX_KEY_BYTES))).toBe('longest key');
  });

  it('rejects invalid options with INVALID_CONFIG', () => {
    expect(() => new LogBackend({ dir: '' })).toThrow(StowageError);
    expect(() => new LogBackend({ dir: 'x', durability: 'sometimes' as 'none' })).toThrow(/durability/);
    expect(() => new LogBackend({ dir: 'x', maxFileSize: 10 })).toThrow(/maxFileSize/);
    // core's resolveDurability: the log offers none/batch/always and names the closest one.
    expect(() => new LogBackend({ dir: 'x', durability: 'alway' as 'none' })).toThrow(/did you mean "always"/);
    expect(() => new LogBackend({ dir: 'x', durability: 'sync' as 'none' })).toThrow(StowageError);
  });

  it("supports says what the README's table and limits say", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme
      .slice(readme.indexOf('## supports'))
      .split('\n')
      .filter((line) => line.startsWith('|'));
    const cells = (line: string) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
    const names = cells(table[0]!);
    const values = cells(table[2]!);
    const supports = new LogBackend({ dir: 'x' }).supports as unknown as Record<string, unknown>;
    const flags = names.filter((name) => name !== 'durability');
    expect(flags.length).toBe(8);
    for (const name of flags) expect([name, supports[name]]).toEqual([name, values[names.indexOf(name)] === 'true']);
    expect(supports.maxKeyBytes).toBe(MAX_KEY_BYTES);
    expect(supports.maxValueBytes).toBe(MAX_VALUE_BYTES);
    expect(readme).toContain(`\`maxKeyBytes\` ${MAX_KEY_BYTES.toLocaleString('en-US')}`);
    expect(readme).toContain(`\`maxValueBytes\` ${MAX_VALUE_BYTES.toLocaleString('en-US')}`);
  });

  it('supports.durability reports only the configured level', () => {
    expect(new LogBackend({ dir: 'x' }).supports.durability).toEqual(['batch']);
    expect(new LogBackend({ dir: 'x', durability: 'none' }).supports.durability).toEqual(['none']);
    expect(new LogBackend({ dir: 'x', durability: 'always' }).supports.durability).toEqual(['always']);
  });

  it('refuses a second open of the same directory with LOCKED', async () => {
    const dir = tempDir();
    await openLog({ dir });
    const second = new LogBackend({ dir });
    await expect(second.open()).rejects.toMatchObject({ code: 'LOCKED' });
  });
});
