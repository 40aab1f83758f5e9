import { describe, expect, it } from 'vitest';
import { openLog, tempDir } from './test-helpers.fixture.js';

describe('versions', () => {
  it('lists every version with sequence, time and deletion, oldest first, and reads each', async () => {
    const log = await openLog({ maxFileSize: 1024 });
    const before = Date.now();
    await log.set('k', 'one');
    for (let i = 0; i < 30; i++) await log.set(`filler-${i}`, 'x'.repeat(50)); // spread over files
    await log.set('k', new Uint8Array([2]));
    await log.delete('k');
    await log.set('k', 'three');
    const versions = await log.versions('k');
    expect(versions.map((version) => version.deleted)).toEqual([false, false, true, false]);
    const sequences = versions.map((version) => version.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    for (const version of versions) expect(version.timestamp).toBeGreaterThanOrEqual(before);
    expect(await log.getVersion('k', sequences[0]!)).toBe('one');
    expect(await log.getVersion('k', sequences[1]!)).toEqual(new Uint8Array([2]));
    expect(await log.getVersion('k', sequences[2]!)).toBeUndefined();
    expect(await log.getVersion('k', sequences[3]!)).toBe('three');
    expect(await log.getVersion('k', 999_999)).toBeUndefined();
    expect(await log.versions('never')).toEqual([]);
  });

  it('survives reopen', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('k', 'a');
    await log.set('k', 'b');
    const versions = await log.versions('k');
    await log.close();
    const again = await openLog({ dir });
    expect(await again.versions('k')).toEqual(versions);
  });

  it('after a merge reports only the versions still on disk', async () => {
    const log = await openLog({ maxFileSize: 1024 });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) await log.set(`k${i}`, `round-${round}-${'x'.repeat(30)}`);
    }
    expect((await log.versions('k3')).length).toBe(5);
    await log.merge();
    const after = await log.versions('k3');
    // The live version, plus any in the active file, which a merge leaves alone.
    expect(after.length).toBeLessThan(5);
    expect(await log.getVersion('k3', after.at(-1)!.sequence)).toBe(`round-4-${'x'.repeat(30)}`);
    const stats = await log.stats();
    expect(stats.files.every((file) => file.active || file.kind === 'merged')).toBe(true);
  });

  it('keepVersions keeps that many of the newest versions through a merge', async () => {
    const log = await openLog({ maxFileSize: 1024, keepVersions: 3 });
    for (let round = 0; round < 6; round++) await log.set('k', `round-${round}-${'y'.repeat(300)}`);
    await log.set('other', 'z'.repeat(900)); // pushes every version of k into immutable files
    const before = await log.versions('k');
    expect(before.length).toBe(6);
    await log.merge();
    const after = await log.versions('k');
    expect(after.map((version) => version.sequence)).toEqual(before.slice(-3).map((version) => version.sequence));
    expect(await log.get('k')).toBe(`round-5-${'y'.repeat(300)}`);
  });

  it('a merge keeps each kept version whole: time, deletion and value read through the hint as before', async () => {
    const log = await openLog({ maxFileSize: 1024, keepVersions: 4 });
    await log.set('k', 'bytes-first'.padEnd(300, '.'));
    await log.set('k', new Uint8Array(300).fill(7));
    await log.delete('k');
    await log.set('k', 'last'.padEnd(300, '.'));
    await log.set('other', 'z'.repeat(900)); // every version of k now in immutable files
    const before = await log.versions('k');
    const values = await Promise.all(before.map((version) => log.getVersion('k', version.sequence)));
    await log.merge();
    expect((await log.stats()).files.some((file) => file.kind === 'merged' && file.hasHint)).toBe(true);
    expect(await log.versions('k')).toEqual(before);
    expect(await Promise.all(before.map((version) => log.getVersion('k', version.sequence)))).toEqual(values);
    expect(values[1]).toEqual(new Uint8Array(300).fill(7));
    expect(values[2]).toBeUndefined();
  });

  it('refuses a sequence number that cannot be one', async () => {
    const log = await openLog();
    await expect(log.getVersion('k', -1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(log.getVersion('k', 1.5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(log.merge({ keepVersions: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
