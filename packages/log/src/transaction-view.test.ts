/**
 * The transaction view in detail: a key written again goes after the writes made between
 * (commit order is call order), a deletion in the body reads back as absent and reports
 * whether the key was there, a read-only body appends nothing, and a key the body only
 * read still conflicts when another writer changed it.
 */
import { describe, expect, it } from 'vitest';
import { openLog } from './test-helpers.fixture.js';

describe('the transaction view', () => {
  it('commits writes in call order: a key written again goes after the keys written between', async () => {
    const log = await openLog();
    await log.transaction(async (tx) => {
      await tx.set('a', '1');
      await tx.set('b', '2');
      await tx.set('a', '3');
    });
    const [a] = await log.versions('a');
    const [b] = await log.versions('b');
    expect(a!.sequence).toBe(b!.sequence + 1);
    expect(await log.getMany(['a', 'b'])).toEqual(['3', '2']);
  });

  it('a delete in the body reads back as absent, says whether the key was there, and commits', async () => {
    const log = await openLog();
    await log.set('present', 'x');
    const seen = await log.transaction(async (tx) => {
      const results = [await tx.delete('present'), await tx.get('present'), await tx.delete('never')];
      await tx.set('never', 'now');
      results.push(await tx.delete('never'), await tx.get('never'));
      return results;
    });
    expect(seen).toEqual([true, undefined, false, true, undefined]);
    expect(await log.getMany(['present', 'never'])).toEqual([undefined, undefined]);
    expect((await log.versions('present')).map((version) => version.deleted)).toEqual([false, true]);
  });

  it('a body that only reads appends nothing', async () => {
    const log = await openLog();
    await log.set('a', '1');
    const before = await log.stats();
    expect(await log.transaction(async (tx) => tx.get('a'))).toBe('1');
    const after = await log.stats();
    expect(after.lastSequence).toBe(before.lastSequence);
    expect(after.files.map((file) => file.bytes)).toEqual(before.files.map((file) => file.bytes));
  });

  it('a key the body only read conflicts when another writer changed it before the commit', async () => {
    const log = await openLog();
    await log.set('read', 'old');
    await expect(
      log.transaction(async (tx) => {
        await tx.get('read');
        await log.set('read', 'changed');
        await tx.set('written', 'x');
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', key: 'read' });
    expect(await log.get('written')).toBeUndefined();
  });
});
