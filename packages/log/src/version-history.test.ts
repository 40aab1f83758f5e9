/**
 * Version history read from the files: through a merged file's hint (and by scanning it
 * when the hint is damaged), with the value of each kept version readable, keys of the
 * same length kept apart, and damage in a file an error rather than a shorter history.
 */
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHintFile } from './hint-file.js';
import { FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import { countingFileSystem, openLog, tempDir } from './test-helpers.fixture.js';

/** A store whose key `k` has versions 0..3 in merged files (kept by keepVersions 4), a deletion, and a neighbour `j`. */
async function history(dir: string) {
  const log = await openLog({ dir, maxFileSize: 1024, keepVersions: 4 });
  for (let round = 0; round < 4; round++) {
    await log.set('k', `k-${round}-${'v'.repeat(200)}`);
    await log.set('j', `j-${round}`);
  }
  await log.delete('j');
  await log.set('tail', 't'.repeat(900));
  await log.merge();
  return log;
}

describe('version history', () => {
  it('reads the versions of a merged file through its hint, each value readable, neighbours kept apart', async () => {
    const dir = tempDir();
    const log = await history(dir);
    expect((await log.stats()).files.some((file) => file.hasHint)).toBe(true);
    const versions = await log.versions('k');
    expect(versions.length).toBe(4);
    for (const [round, version] of versions.entries()) {
      expect(version.deleted).toBe(false);
      expect(await log.getVersion('k', version.sequence)).toBe(`k-${round}-${'v'.repeat(200)}`);
    }
    expect(versions.map((version) => version.sequence)).toEqual(
      [...versions.map((version) => version.sequence)].sort((a, b) => a - b),
    );
    const j = await log.versions('j');
    expect(j.map((version) => version.deleted)).toEqual([false, false, false, true]);
    expect(await log.getVersion('j', j[1]!.sequence)).toBe('j-2'); // j-0 went: four versions kept
    expect(await log.getVersion('j', j[3]!.sequence)).toBeUndefined();
  });

  it('with a damaged hint, the merged file is scanned and the history is the same', async () => {
    const dir = tempDir();
    const log = await history(dir);
    const expected = await log.versions('k');
    for (const hint of readdirSync(dir).filter((name) => name.endsWith('.hint'))) {
      const bytes = readFileSync(join(dir, hint));
      bytes[20] = bytes[20]! ^ 1;
      writeFileSync(join(dir, hint), bytes);
    }
    expect(await log.versions('k')).toEqual(expected);
    expect(await log.getVersion('k', expected[0]!.sequence)).toBe(`k-0-${'v'.repeat(200)}`);
  });

  it('a merged file with an intact hint is read through the hint alone: damage to another key there does not stop it', async () => {
    const dir = tempDir();
    const log = await history(dir);
    const expected = await log.versions('k');
    let damaged = 0;
    for (const hint of readdirSync(dir).filter((name) => name.endsWith('.hint'))) {
      const id = Number.parseInt(hint, 10);
      const data = join(dir, hint.replace('.hint', '.data'));
      const bytes = readFileSync(data);
      readHintFile(readFileSync(join(dir, hint)), id, (entry, key) => {
        if (key !== 'j' || entry.valueLength === 0) return;
        const at = entry.offset + RECORD_HEADER_SIZE + entry.keyLength;
        bytes[at] = bytes[at]! ^ 1; // j's record no longer passes its checksum
        damaged++;
      });
      writeFileSync(data, bytes);
    }
    expect(damaged).toBeGreaterThan(0);
    expect(await log.versions('k')).toEqual(expected);
    expect(await log.getVersion('k', expected[0]!.sequence)).toBe(`k-0-${'v'.repeat(200)}`);
    // A scan of the same file does stop there (verify reads every record).
    expect((await log.verify()).ok).toBe(false);
  });

  it('keys of the same length, or sharing a prefix, never mix their histories', async () => {
    const log = await openLog();
    await log.set('ab', '1');
    await log.set('ac', '2');
    await log.set('a', '3');
    await log.set('abc', '4');
    await log.set('ab', '5');
    expect((await log.versions('ab')).length).toBe(2);
    expect((await log.versions('ac')).length).toBe(1);
    expect((await log.versions('a')).length).toBe(1);
    expect(await log.versions('zz')).toEqual([]);
  });

  it('a damaged record in a file makes versions CORRUPTION naming the file and offset, not a shorter history', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('k', 'one');
    await log.set('k', 'two');
    const path = join(dir, '000001.data');
    const bytes = readFileSync(path);
    const second = FILE_HEADER_SIZE + RECORD_HEADER_SIZE + 1 + 3;
    bytes[second + RECORD_HEADER_SIZE + 2] = bytes[second + RECORD_HEADER_SIZE + 2]! ^ 1;
    writeFileSync(path, bytes);
    await expect(log.versions('k')).rejects.toMatchObject({ code: 'CORRUPTION', file: path, offset: second });
  });

  it('an unfinished transaction in a file makes versions CORRUPTION at its first record, not a shorter history', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    await log.set('k0', 'value-0');
    await log.apply([
      { type: 'set', key: 'k1', value: 'value-1' },
      { type: 'set', key: 'k2', value: 'value-2' },
    ]);
    for (let i = 0; i < 4; i++) await log.set(`pad-${i}`, 'p'.repeat(300));
    const path = join(dir, '000001.data');
    const recordSize = RECORD_HEADER_SIZE + 2 + 7;
    // Cut after the transaction's first record: the file ends inside it.
    truncateSync(path, FILE_HEADER_SIZE + 2 * recordSize);
    await expect(log.versions('k0')).rejects.toMatchObject({
      code: 'CORRUPTION',
      file: path,
      offset: FILE_HEADER_SIZE + recordSize,
      message: expect.stringContaining('unfinished transaction'),
    });
  });

  it('a write still waiting for its fsync is in no history yet: a power cut could still take it back', async () => {
    const { fs } = countingFileSystem();
    let release: (() => void) | undefined;
    let gate = false;
    const gated = {
      ...fs,
      open: (path: string, mode: Parameters<typeof fs.open>[1]) => {
        const handle = fs.open(path, mode);
        return Object.assign(Object.create(handle) as typeof handle, {
          sync: async () => {
            if (gate) await new Promise<void>((resolve) => (release = resolve));
            return handle.sync();
          },
        });
      },
    };
    const log = await openLog({ fs: gated, durability: 'always' });
    await log.set('k', 'one');
    const durable = await log.versions('k');
    expect(durable.length).toBe(1);
    gate = true;
    const write = log.set('k', 'two');
    for (let i = 0; i < 5 && release === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
    const appended = release !== undefined; // its fsync not done
    const during = await log.versions('k');
    const pending = await log.getVersion('k', durable[0]!.sequence + 1);
    // Released before any assertion, so a failing one cannot leave the write (and the close after the test) waiting.
    gate = false;
    release?.();
    await write;
    expect(appended).toBe(true);
    expect(during).toEqual(durable);
    expect(pending).toBeUndefined();
    const after = await log.versions('k');
    expect(after.length).toBe(2);
    expect(await log.getVersion('k', after[1]!.sequence)).toBe('two');
  });
});
