/**
 * What a merge writes and reports, checked file by file: the report's figures match the
 * files, merged files respect maxFileSize and are never empty, records of a transaction
 * stand alone once merged, the hint files of merged inputs go with them, a failed write
 * leaves nothing behind, and duplicates left by an interrupted merge count once.
 */
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FileSystem, nodeFileSystem } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { FILE_HEADER_SIZE, RECORD_HEADER_SIZE } from './record-format.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

describe('merge outputs', () => {
  it('the report gives the inputs, the outputs, their bytes and the records kept, as the files show them', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 20; i++) await log.set(`k${i % 8}`, `${i}-${'v'.repeat(150)}`);
    await log.delete('k0');
    // A value too big to share a file: the active file ends up holding only it.
    await log.set('tail', 't'.repeat(900));
    const before = await log.stats();
    const active = before.files.find((file) => file.active)!;
    expect(active.bytes).toBe(FILE_HEADER_SIZE + RECORD_HEADER_SIZE + 4 + 900);
    const inputs = before.files.filter((file) => !file.active);
    const started = Date.now();
    const report = await log.merge();
    const after = await log.stats();
    const outputs = after.files.filter((file) => file.kind === 'merged');
    expect(report).toEqual({
      finishedAt: expect.any(Number),
      durationMs: expect.any(Number),
      filesMerged: inputs.length,
      filesWritten: outputs.length,
      bytesBefore: sum(inputs.map((file) => file.bytes)),
      bytesAfter: sum(outputs.map((file) => file.bytes)),
      recordsKept: 7, // k1..k7: k0 is deleted, and every overwritten version goes
    });
    expect(report.finishedAt).toBeGreaterThanOrEqual(started);
    expect(report.finishedAt).toBeLessThanOrEqual(Date.now());
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
    expect(report.durationMs).toBeLessThanOrEqual(Date.now() - started);
    expect(outputs.every((file) => file.deadBytes === 0 && file.hasHint)).toBe(true);
    expect(after.lastMerge).toEqual(report);
  });

  it('merged files stay within maxFileSize, and none is empty even next to a record larger than the limit', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 20; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    await log.set('huge', 'h'.repeat(2000));
    for (let i = 20; i < 30; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    await log.merge();
    const outputs = (await log.stats()).files.filter((file) => file.kind === 'merged');
    expect(outputs.length).toBeGreaterThan(3);
    for (const file of outputs) {
      expect(file.bytes, file.file).toBeGreaterThan(FILE_HEADER_SIZE);
      if (file.bytes > 1024) expect(file.bytes, file.file).toBe(FILE_HEADER_SIZE + RECORD_HEADER_SIZE + 4 + 2000);
    }
    // Filled up to the limit: no output could have taken the next one's first record.
    expect(outputs.filter((file) => file.bytes <= 1024 - (RECORD_HEADER_SIZE + 3 + 203)).length).toBeLessThanOrEqual(2);
    expect(await log.get('huge')).toBe('h'.repeat(2000));
    expect((await log.verify()).ok).toBe(true);
  });

  it('records of a transaction stand alone once merged, also when its closing record was overwritten', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    await log.apply([
      { type: 'set', key: 't1', value: 'one' },
      { type: 'set', key: 't2', value: 'two' },
      { type: 'set', key: 't3', value: 'three' },
    ]);
    await log.set('t3', 'three again');
    await log.set('after', 'a');
    for (let i = 0; i < 6; i++) await log.set(`pad-${i}`, 'p'.repeat(300));
    await log.merge();
    expect((await log.verify()).ok).toBe(true);
    await log.close();
    const again = await openLog({ dir, maxFileSize: 1024 });
    expect(await again.getMany(['t1', 't2', 't3', 'after'])).toEqual(['one', 'two', 'three again', 'a']);
    expect((await again.verify()).ok).toBe(true);
  });

  it('a second merge removes the merged files it took together with their hint files', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 12; i++) await log.set(`k${i}`, `${round}-${'v'.repeat(200)}`);
      await log.merge();
    }
    const names = readdirSync(dir);
    const merged = (await log.stats()).files.filter((file) => file.kind === 'merged').map((file) => file.file);
    expect(names.filter((name) => name.endsWith('.hint')).sort()).toEqual(
      merged.map((name) => name.replace('.data', '.hint')).sort(),
    );
    await log.close();
    const again = await openLog({ dir, maxFileSize: 1024 });
    expect((await again.stats()).recovery).toEqual([]);
    for (let i = 0; i < 12; i++) expect(await again.get(`k${i}`)).toBe(`1-${'v'.repeat(200)}`);
  });

  it('a write failing midway through a merge rejects it and leaves no file behind; the store is unchanged', async () => {
    const dir = tempDir();
    let failWrites = false;
    const failing: FileSystem = {
      ...nodeFileSystem,
      open: (path, mode) => {
        const handle = nodeFileSystem.open(path, mode);
        if (!path.endsWith('.tmp')) return handle;
        let appends = 0;
        return {
          get path() {
            return handle.path;
          },
          read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
          write: (data, position) => handle.write(data, position),
          append: (data) => {
            if (failWrites && ++appends > 1) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
            return handle.append(data);
          },
          size: () => handle.size(),
          truncate: (size) => handle.truncate(size),
          sync: () => handle.sync(),
          close: () => handle.close(),
        };
      },
    };
    const log = await openLog({ dir, fs: failing, maxFileSize: 1024 });
    for (let i = 0; i < 30; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    const before = readdirSync(dir).sort();
    failWrites = true;
    await expect(log.merge()).rejects.toMatchObject({ code: 'IO' });
    expect(readdirSync(dir).sort()).toEqual(before);
    for (let i = 0; i < 30; i++) expect(await log.get(`k${i}`)).toBe(`${i}-${'v'.repeat(200)}`);
    failWrites = false;
    await log.merge();
    expect((await log.verify()).ok).toBe(true);
    for (let i = 0; i < 30; i++) expect(await log.get(`k${i}`)).toBe(`${i}-${'v'.repeat(200)}`);
  });

  it('with keepVersions, a record left in two files by an interrupted merge is kept once, so as many distinct versions survive', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024, keepVersions: 3 });
    for (let round = 0; round < 4; round++) await log.set('k', `${round}-${'v'.repeat(300)}`);
    await log.set('tail', 't'.repeat(900));
    await log.close();
    const saved = new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))] as const));
    const merging = await openLog({ dir, maxFileSize: 1024, keepVersions: 3 });
    await merging.merge();
    await merging.close();
    // A crash after the merged files were renamed in, before the manifest: the inputs are back.
    for (const [name, bytes] of saved) if (name.endsWith('.data')) writeFileSync(join(dir, name), bytes);
    const again = await openLog({ dir, maxFileSize: 1024, keepVersions: 3 });
    const versions = await again.versions('k');
    expect(versions.length).toBe(4);
    await again.merge();
    const kept = await again.versions('k');
    expect(kept.map((version) => version.sequence)).toEqual(versions.slice(-3).map((version) => version.sequence));
    expect(await again.get('k')).toBe(`3-${'v'.repeat(300)}`);
  });

  it.each([
    ['a damaged record', 'record checksum mismatch', 2],
    ['an unfinished transaction', 'unfinished transaction', 1],
  ] as const)('refuses an input with %s as CORRUPTION at its place and changes no file', async (_label, reason, at) => {
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
    if (reason === 'unfinished transaction') {
      truncateSync(path, FILE_HEADER_SIZE + 2 * recordSize); // the file ends inside the transaction
    } else {
      const bytes = readFileSync(path);
      const at = FILE_HEADER_SIZE + 2 * recordSize + RECORD_HEADER_SIZE;
      bytes[at] = bytes[at]! ^ 1;
      writeFileSync(path, bytes);
    }
    const before = readdirSync(dir).map((name) => [name, statSync(join(dir, name)).size]);
    await expect(log.merge()).rejects.toMatchObject({
      code: 'CORRUPTION',
      file: path,
      offset: FILE_HEADER_SIZE + at * recordSize,
      message: expect.stringContaining(reason),
    });
    expect(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).size])).toEqual(before);
  });

  it('a record that reads back damaged when the merge copies it fails the merge with CORRUPTION and leaves no file behind', async () => {
    const dir = tempDir();
    let damageCopies = false;
    const damaging: FileSystem = {
      ...nodeFileSystem,
      open: (path, mode) => {
        const handle = nodeFileSystem.open(path, mode);
        if (!path.endsWith('.data')) return handle;
        return {
          get path() {
            return handle.path;
          },
          // The merge scans each input whole (from byte 0), then reads each record it keeps on its own.
          read: (buffer, offset, length, position) => {
            const read = handle.read(buffer, offset, length, position);
            if (damageCopies && position > 0) buffer[offset + length - 1] = buffer[offset + length - 1]! ^ 1;
            return read;
          },
          write: (data, position) => handle.write(data, position),
          append: (data) => handle.append(data),
          size: () => handle.size(),
          truncate: (size) => handle.truncate(size),
          sync: () => handle.sync(),
          close: () => handle.close(),
        };
      },
    };
    const log = await openLog({ dir, fs: damaging, maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    const before = readdirSync(dir).sort();
    damageCopies = true;
    await expect(log.merge()).rejects.toMatchObject({ code: 'CORRUPTION' });
    damageCopies = false;
    expect(readdirSync(dir).sort()).toEqual(before);
    for (let i = 0; i < 12; i++) expect(await log.get(`k${i}`)).toBe(`${i}-${'v'.repeat(200)}`);
  });

  it('a merged file may fill to exactly maxFileSize', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    // Four records of 252 bytes: with the 16-byte header, exactly 1024.
    for (let i = 0; i < 4; i++) await log.set(`k${i}`, String(i).repeat(252 - RECORD_HEADER_SIZE - 2));
    await log.set('next', 'n'); // starts the next log file: the first is immutable
    const report = await log.merge();
    expect(report).toMatchObject({ filesMerged: 1, filesWritten: 1, bytesAfter: 1024, recordsKept: 4 });
  });

  it('a merge whose output file cannot be created fails with IO and leaves no file behind', async () => {
    const dir = tempDir();
    let failCreate = false;
    const failing: FileSystem = {
      ...nodeFileSystem,
      open: (path, mode) => {
        if (failCreate && mode === 'createNew' && path.includes('.data.'))
          throw Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC' });
        return nodeFileSystem.open(path, mode);
      },
    };
    const log = await openLog({ dir, fs: failing, maxFileSize: 1024 });
    for (let i = 0; i < 8; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    const before = readdirSync(dir).sort();
    failCreate = true;
    await expect(log.merge()).rejects.toMatchObject({ code: 'IO' });
    failCreate = false;
    expect(readdirSync(dir).sort()).toEqual(before);
    await log.merge();
    expect(await log.get('k0')).toBe(`0-${'v'.repeat(200)}`);
  });
});
