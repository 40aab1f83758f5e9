import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { type FileHandle, type FileSystem, nodeFileSystem } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { HintWriter } from './hint-file.js';
import { LogBackend } from './log-backend.js';
import { encodeMergeManifest } from './merge-manifest.js';
import { FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

const firstFile = (dir: string) => join(dir, '000001.data');

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0x10;
  writeFileSync(path, bytes);
}

async function openError(dir: string): Promise<StowageError> {
  const backend = new LogBackend({ dir });
  try {
    await backend.open();
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  } finally {
    await backend.close();
  }
  throw new Error('open succeeded');
}

/** A real file system that counts the handles opened and the handles closed. */
function handleCountingFileSystem(): { fs: FileSystem; counts: { opened: number; closed: number } } {
  const counts = { opened: 0, closed: 0 };
  const fs: FileSystem = {
    ...nodeFileSystem,
    open: (path, mode) => {
      const handle = nodeFileSystem.open(path, mode);
      counts.opened++;
      return {
        get path() {
          return handle.path;
        },
        read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
        write: (data, position) => handle.write(data, position),
        append: (data) => handle.append(data),
        size: () => handle.size(),
        truncate: (size) => handle.truncate(size),
        sync: () => handle.sync(),
        close: () => {
          counts.closed++;
          handle.close();
        },
      } satisfies FileHandle;
    },
  };
  return { fs, counts };
}

/**
 * A closed store where a merge replaced files 1 and 2 (file 1 a merged file with its hint)
 * by merged files, then crashed after writing its MERGE manifest, before removing them:
 * the inputs are back beside the output, and the manifest names them.
 */
async function interruptedMerge(): Promise<{ dir: string; inputs: string[]; outputs: string[] }> {
  const dir = tempDir();
  const log = await openLog({ dir, maxFileSize: 1024 });
  for (let i = 0; i < 8; i++) await log.set(`k${i}`, `a-${'v'.repeat(300)}`);
  await log.merge();
  for (let i = 0; i < 8; i++) await log.set(`k${i}`, `b-${'v'.repeat(300)}`);
  await log.delete('k0');
  await log.close();
  const before = new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))] as const));
  const again = await openLog({ dir, maxFileSize: 1024 });
  const inputFiles = (await again.stats()).files.filter((file) => !file.active);
  await again.merge();
  const outputs = (await again.stats()).files.filter((file) => !before.has(file.file)).map((file) => file.file);
  await again.close();
  expect(outputs.length).toBeGreaterThan(0);
  const inputs = inputFiles.map((file) => file.file);
  expect(inputFiles.some((file) => file.hasHint)).toBe(true);
  for (const file of inputFiles) {
    writeFileSync(join(dir, file.file), before.get(file.file)!);
    const hint = file.file.replace('.data', '.hint');
    if (file.hasHint) writeFileSync(join(dir, hint), before.get(hint)!);
  }
  const id = (name: string) => Number.parseInt(name, 10);
  writeFileSync(join(dir, 'MERGE'), encodeMergeManifest(inputs.map(id), outputs.map(id)));
  return { dir, inputs, outputs };
}

describe('recovery', () => {
  it('cutting the last transaction at every byte keeps every earlier commit, and a later write and reopen too', async () => {
    const source = tempDir();
    const log = await openLog({ dir: source });
    await log.set('a', 'first');
    await log.set('b', new Uint8Array([2]));
    const before = readFileSync(firstFile(source)).length;
    await log.transaction(async (tx) => {
      await tx.set('x', 'one');
      await tx.set('y', 'two');
      await tx.delete('a');
    });
    await log.close();
    const after = readFileSync(firstFile(source)).length;
    expect(after).toBeGreaterThan(before);

    for (let cut = before; cut < after; cut++) {
      const dir = tempDir();
      cpSync(source, dir, { recursive: true });
      truncateSync(firstFile(dir), cut);
      const reopened = await openLog({ dir });
      expect(await reopened.get('a')).toBe('first');
      expect(await reopened.get('x')).toBeUndefined();
      expect(await reopened.get('y')).toBeUndefined();
      const stats = await reopened.stats();
      if (cut > before) expect(stats.recovery.map((action) => action.action)).toContain('truncated-tail');
      await reopened.set('z', `after-${cut}`);
      await reopened.close();
      const third = await openLog({ dir });
      expect(await third.getMany(['a', 'b', 'x', 'z'])).toEqual([
        'first',
        new Uint8Array([2]),
        undefined,
        `after-${cut}`,
      ]);
      await third.close();
    }
  });

  it('a flipped bit with intact records after it fails the open with CORRUPTION naming file and offset', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    for (let i = 0; i < 10; i++) await log.set(`k${i}`, `value-${i}`);
    await log.close();
    const recordSize = RECORD_HEADER_SIZE + 2 + 7;
    const third = FILE_HEADER_SIZE + 2 * recordSize;
    flipByte(firstFile(dir), third + RECORD_HEADER_SIZE + 4);
    const error = await openError(dir);
    expect(error.code).toBe('CORRUPTION');
    expect(error.file).toBe(firstFile(dir));
    expect(error.offset).toBe(third);
    expect(error.message).toContain('000001.data');
  });

  it('damage at the end of a file that is not the newest is corruption, not a tail', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 60; i++) await log.set(`key-${i}`, 'x'.repeat(40));
    await log.close();
    const path = firstFile(dir);
    const size = readFileSync(path).length;
    flipByte(path, size - 1);
    expect((await openError(dir)).code).toBe('CORRUPTION');
  });

  it('a newest file whose header was torn at creation is started again', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    writeFileSync(join(dir, '000002.data'), Buffer.from('STOWL'));
    const again = await openLog({ dir });
    expect(await again.get('a')).toBe('1');
    await again.set('b', '2');
    expect((await again.stats()).recovery.map((action) => action.action)).toEqual(['rewrote-header']);
    await again.close();
    const third = await openLog({ dir });
    expect(await third.get('b')).toBe('2');
  });

  it('a file that is not a log file fails the open with CORRUPTION', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    writeFileSync(join(dir, '000001.data'), Buffer.alloc(100, 7));
    writeFileSync(join(dir, '000002.data'), Buffer.alloc(0));
    const error = await openError(dir);
    expect(error.code).toBe('CORRUPTION');
    expect(error.offset).toBe(0);
  });

  it('removes temp files and orphan hints left by an interrupted merge', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    // fs's temp naming: `.<target>.<pid>-<12 hex>.tmp`. A dead writer's file is debris; a live one's stays.
    const dead = '.000009.data.2147483646-0123456789ab.tmp';
    const live = `.000010.data.${process.ppid}-0123456789ab.tmp`;
    writeFileSync(join(dir, dead), 'partial');
    writeFileSync(join(dir, live), 'being written');
    writeFileSync(join(dir, '000009.hint'), 'orphan');
    const again = await openLog({ dir });
    expect((await again.stats()).recovery.map((action) => action.action).sort()).toEqual([
      'removed-orphan-hint',
      'removed-temp-file',
    ]);
    expect(existsSync(join(dir, dead))).toBe(false);
    expect(existsSync(join(dir, live))).toBe(true);
    expect(await again.get('a')).toBe('1');
  });

  it('reports the orphan hint it removed by its path, like every other recovery action', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    writeFileSync(join(dir, '000009.hint'), 'orphan');
    const again = await openLog({ dir });
    expect((await again.stats()).recovery).toEqual([
      { action: 'removed-orphan-hint', file: join(dir, '000009.hint'), detail: expect.any(String) },
    ]);
  });

  it('every recovery action says why it was taken (a detail that is not empty)', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    writeFileSync(join(dir, '.000009.data.2147483646-0123456789ab.tmp'), 'partial');
    writeFileSync(join(dir, '000009.hint'), 'orphan');
    writeFileSync(join(dir, '000002.data'), Buffer.from('STOWL'));
    const again = await openLog({ dir });
    const recovery = (await again.stats()).recovery;
    expect(recovery.map((action) => action.action).sort()).toEqual([
      'removed-orphan-hint',
      'removed-temp-file',
      'rewrote-header',
    ]);
    for (const action of recovery) expect(action.detail, action.action).not.toBe('');
  });

  it('data files numbered past 999999 are still taken in number order: the newest is active, new files get new numbers', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 3; i++) await log.set('k', `${i}-${'v'.repeat(900)}`);
    await log.close();
    const names = readdirSync(dir).filter((name) => name.endsWith('.data'));
    expect(names).toEqual(['000001.data', '000002.data', '000003.data']);
    // As text, 1000000.data sorts before 999998.data: only a numeric order finds the newest.
    for (const [index, id] of [999998, 999999, 1000000].entries()) {
      renameSync(join(dir, names[index]!), join(dir, `${id}.data`));
    }
    rmSync(join(dir, 'FILES'));
    const again = await openLog({ dir, maxFileSize: 1024 });
    expect((await again.stats()).files.find((file) => file.active)?.file).toBe('1000000.data');
    await again.set('k', `3-${'v'.repeat(900)}`);
    await again.set('k', `4-${'v'.repeat(900)}`);
    expect((await again.stats()).files.map((file) => file.file)).toContain('1000002.data');
    await again.close();
    const third = await openLog({ dir, maxFileSize: 1024 });
    expect(await third.get('k')).toBe(`4-${'v'.repeat(900)}`);
  });

  it('a torn header on a data file that is not the newest is CORRUPTION, never rewritten as an empty log file', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 3; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(900)}`);
    await log.close();
    // No file list (a store from before lists), so only the header tells: file 2 of 3 is cut inside its header.
    rmSync(join(dir, 'FILES'));
    truncateSync(join(dir, '000002.data'), 5);
    const error = await openError(dir);
    expect(error.code).toBe('CORRUPTION');
    expect(error.file).toBe(join(dir, '000002.data'));
    expect(error.offset).toBe(0);
  });

  it('after a merge the log file stays the active one, though merged files are numbered after it', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) await log.set(`k${i}`, 'v'.repeat(200));
    await log.merge();
    await log.close();
    const again = await openLog({ dir, maxFileSize: 1024 });
    const files = (await again.stats()).files;
    const active = files.find((file) => file.active)!;
    expect(active.kind).toBe('log');
    expect(files.at(-1)!.kind).toBe('merged');
    await again.set('after-reopen', 'kept');
    await again.close();
    const third = await openLog({ dir, maxFileSize: 1024 });
    expect(await third.get('after-reopen')).toBe('kept');
    expect(await third.get('k11')).toBe('v'.repeat(200));
  });

  it('a hint file is trusted only beside a merged data file: one beside a log file is ignored and the log is scanned', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.set('b', '2');
    await log.close();
    // A well-formed hint for file 1 that lists nothing: trusting it would lose both keys.
    writeFileSync(join(dir, '000001.hint'), new HintWriter(1).finish());
    const again = await openLog({ dir });
    expect(await again.getMany(['a', 'b'])).toEqual(['1', '2']);
  });

  it('a merged data file whose hint file is gone is read by scanning it', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    await log.merge();
    await log.close();
    const hints = readdirSync(dir).filter((name) => name.endsWith('.hint'));
    expect(hints.length).toBeGreaterThan(0);
    for (const hint of hints) rmSync(join(dir, hint));
    const again = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) expect(await again.get(`k${i}`)).toBe(`${i}-${'v'.repeat(200)}`);
  });

  it('reopening a store goes on appending to its newest log file instead of starting a new file each open', async () => {
    const dir = tempDir();
    for (let round = 0; round < 3; round++) {
      const log = await openLog({ dir });
      await log.set(`k${round}`, `${round}`);
      await log.close();
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.data'))).toEqual(['000001.data']);
    const last = await openLog({ dir });
    expect(await last.getMany(['k0', 'k1', 'k2'])).toEqual(['0', '1', '2']);
  });

  it('open finishes the removals of an interrupted merge: inputs and their hints go, the manifest goes, and it says so', async () => {
    const { dir, inputs, outputs } = await interruptedMerge();
    const log = await openLog({ dir, maxFileSize: 1024 });
    expect((await log.stats()).recovery).toEqual([
      { action: 'finished-merge', file: 'MERGE', detail: expect.stringMatching(/.+/) },
    ]);
    const left = readdirSync(dir);
    for (const input of inputs) {
      expect(left).not.toContain(input);
      expect(left).not.toContain(input.replace('.data', '.hint'));
    }
    for (const output of outputs) expect(left).toContain(output);
    expect(left).not.toContain('MERGE');
    expect(await log.get('k0')).toBeUndefined();
    for (let i = 1; i < 8; i++) expect(await log.get(`k${i}`)).toBe(`b-${'v'.repeat(300)}`);
  });

  it('finishing an interrupted merge tolerates inputs the crashed merge had already removed', async () => {
    const { dir, inputs } = await interruptedMerge();
    rmSync(join(dir, inputs[0]!));
    rmSync(join(dir, inputs[0]!.replace('.data', '.hint')), { force: true });
    const log = await openLog({ dir, maxFileSize: 1024 });
    expect((await log.stats()).recovery.map((action) => action.action)).toEqual(['finished-merge']);
    for (const input of inputs) expect(readdirSync(dir)).not.toContain(input);
    expect(await log.get('k7')).toBe(`b-${'v'.repeat(300)}`);
  });

  it('open, recovery included, closes every file handle it opened once the store is closed', async () => {
    const { dir } = await interruptedMerge();
    writeFileSync(join(dir, '999999.data'), Buffer.from('STOWL'));
    const { fs, counts } = handleCountingFileSystem();
    const log = await openLog({ dir, fs, maxFileSize: 1024 });
    expect((await log.stats()).recovery.map((action) => action.action).sort()).toEqual([
      'finished-merge',
      'rewrote-header',
    ]);
    await log.close();
    expect(counts.opened).toBeGreaterThan(0);
    expect(counts.closed).toBe(counts.opened);
  });

  it('a newest file whose header is damaged but which holds records is CORRUPTION, never emptied', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    flipByte(firstFile(dir), 3);
    const size = readFileSync(firstFile(dir)).length;
    const error = await openError(dir);
    expect(error.code).toBe('CORRUPTION');
    expect(error.offset).toBe(0);
    expect(readFileSync(firstFile(dir)).length).toBe(size);
  });

  it('a newest file that is exactly one damaged header long is a torn creation: started again as the active log file', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('a', '1');
    await log.close();
    const header = readFileSync(firstFile(dir)).subarray(0, FILE_HEADER_SIZE);
    header[FILE_HEADER_SIZE - 1] = header[FILE_HEADER_SIZE - 1]! ^ 0x10;
    writeFileSync(join(dir, '000002.data'), header);
    const again = await openLog({ dir });
    expect((await again.stats()).recovery).toEqual([
      { action: 'rewrote-header', file: join(dir, '000002.data'), offset: 0, detail: expect.stringMatching(/.+/) },
    ]);
    const files = (await again.stats()).files;
    expect(files.map(({ file, kind, active }) => ({ file, kind, active }))).toEqual([
      { file: '000001.data', kind: 'log', active: false },
      { file: '000002.data', kind: 'log', active: true },
    ]);
    await again.set('b', '2');
    await again.close();
    const third = await openLog({ dir });
    expect(await third.getMany(['a', 'b'])).toEqual(['1', '2']);
  });

  it('a new store starts with one empty active log file', async () => {
    const log = await openLog();
    const files = (await log.stats()).files;
    expect(files).toEqual([
      expect.objectContaining({ file: '000001.data', kind: 'log', active: true, bytes: FILE_HEADER_SIZE }),
    ]);
  });

  it('a failed removal while finishing an interrupted merge fails the open and keeps the manifest for the next one', async () => {
    const { dir, inputs } = await interruptedMerge();
    const failing: FileSystem = {
      ...nodeFileSystem,
      unlink: (path) => {
        if (path.endsWith(inputs[0]!)) throw Object.assign(new Error('EIO: i/o error, unlink'), { code: 'EIO' });
        nodeFileSystem.unlink(path);
      },
    };
    await expect(new LogBackend({ dir, fs: failing, maxFileSize: 1024 }).open()).rejects.toThrow();
    expect(readdirSync(dir)).toContain('MERGE');
    expect(readdirSync(dir)).toContain(inputs[0]);
    const log = await openLog({ dir, maxFileSize: 1024 });
    expect((await log.stats()).recovery.map((action) => action.action)).toEqual(['finished-merge']);
    expect(await log.get('k0')).toBeUndefined();
  });

  it('a write after reopening a merged store wins over every earlier write, also after the next reopen', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) await log.set(`k${i}`, `old-${i}-${'v'.repeat(200)}`);
    await log.merge();
    await log.close();
    // Merged files are numbered after the active log file, so open reads their older records last.
    const again = await openLog({ dir, maxFileSize: 1024 });
    const active = (await again.stats()).files.find((file) => file.active)!;
    expect((await again.stats()).files.at(-1)!.file > active.file).toBe(true);
    // k11 was written last: its old version is in the active log file, with the highest sequence so far.
    await again.set('k11', 'new');
    await again.close();
    const third = await openLog({ dir, maxFileSize: 1024 });
    expect(await third.get('k11')).toBe('new');
    const versions = await third.versions('k11');
    expect(versions.length).toBe(2);
    expect(versions[1]!.sequence).toBeGreaterThan(versions[0]!.sequence);
  });

  it('damage inside an unfinished transaction is reported at the damaged record, not at the transaction start', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('k0', 'value-0');
    await log.apply([
      { type: 'set', key: 'k1', value: 'value-1' },
      { type: 'set', key: 'k2', value: 'value-2' },
      { type: 'set', key: 'k3', value: 'value-3' },
    ]);
    await log.set('k4', 'value-4');
    await log.close();
    const recordSize = RECORD_HEADER_SIZE + 2 + 7;
    const second = FILE_HEADER_SIZE + 2 * recordSize;
    flipByte(firstFile(dir), second + RECORD_HEADER_SIZE + 4);
    const error = await openError(dir);
    expect(error.code).toBe('CORRUPTION');
    expect(error.offset).toBe(second);
  });

  it('a torn tail is reported with the bytes cut and the damage that was found there', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('k0', 'value-0');
    await log.set('k1', 'value-1');
    await log.close();
    const recordSize = RECORD_HEADER_SIZE + 2 + 7;
    const size = FILE_HEADER_SIZE + 2 * recordSize;
    truncateSync(firstFile(dir), size - 3);
    const again = await openLog({ dir });
    expect((await again.stats()).recovery).toEqual([
      {
        action: 'truncated-tail',
        file: firstFile(dir),
        offset: FILE_HEADER_SIZE + recordSize,
        bytes: recordSize - 3,
        detail: 'record runs past the end of the file',
      },
    ]);
    expect(await again.getMany(['k0', 'k1'])).toEqual(['value-0', undefined]);
  });

  it('an ignored hint file is reported by its path and says why', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) await log.set(`k${i}`, 'v'.repeat(200));
    await log.merge();
    await log.close();
    const hint = readdirSync(dir).find((name) => name.endsWith('.hint'))!;
    writeFileSync(join(dir, hint), 'not a hint');
    const again = await openLog({ dir, maxFileSize: 1024 });
    expect((await again.stats()).recovery).toEqual([
      { action: 'ignored-hint', file: join(dir, hint), detail: expect.stringContaining('hint file is too short') },
    ]);
  });

  it('a transaction cut at a record boundary is cut off whole, and the recovery note says it was unfinished', async () => {
    const dir = tempDir();
    const log = await openLog({ dir });
    await log.set('k0', 'value-0');
    await log.apply([
      { type: 'set', key: 'k1', value: 'value-1' },
      { type: 'set', key: 'k2', value: 'value-2' },
    ]);
    await log.close();
    const recordSize = RECORD_HEADER_SIZE + 2 + 7;
    truncateSync(firstFile(dir), FILE_HEADER_SIZE + 2 * recordSize);
    const again = await openLog({ dir });
    expect((await again.stats()).recovery).toEqual([
      {
        action: 'truncated-tail',
        file: firstFile(dir),
        offset: FILE_HEADER_SIZE + recordSize,
        bytes: recordSize,
        detail: 'unfinished transaction at the end of the file',
      },
    ]);
    expect(await again.getMany(['k0', 'k1', 'k2'])).toEqual(['value-0', undefined, undefined]);
  });
});
