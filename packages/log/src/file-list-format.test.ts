/**
 * The file list's format, entry by entry: every malformed list is CORRUPTION naming
 * FILES (open would otherwise trust a list that cannot say what the store holds), and
 * what the store writes is the sorted list of its files, immutable ones with their size.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { nodeFileSystem } from '@stowage/fs';
import { describe, expect, it } from 'vitest';
import { fileListProblems, readFileList } from './file-list.js';
import { openLog, tempDir } from './test-helpers.fixture.js';

function listIn(content: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'FILES'), content);
  return dir;
}

describe('the file list format', () => {
  it('a store without a list has none, and a valid list reads back with sizes only for immutable files', () => {
    expect(readFileList(nodeFileSystem, tempDir())).toBeUndefined();
    const dir = listIn(
      JSON.stringify({
        format: 1,
        files: [
          [1, 0],
          [2, 345],
          [3, null],
        ],
      }),
    );
    expect(readFileList(nodeFileSystem, dir)).toEqual([
      { id: 1, size: 0 },
      { id: 2, size: 345 },
      { id: 3, size: undefined },
    ]);
    expect(readFileList(nodeFileSystem, listIn(JSON.stringify({ format: 1, files: [] })))).toEqual([]);
  });

  it.each([
    ['not JSON', '{not json'],
    ['JSON null', 'null'],
    ['another format', JSON.stringify({ format: 2, files: [] })],
    ['no format', JSON.stringify({ files: [] })],
    ['files not a list', JSON.stringify({ format: 1, files: { 1: 10 } })],
    ['no files', JSON.stringify({ format: 1 })],
    ['an entry that is not a pair', JSON.stringify({ format: 1, files: [1] })],
    ['an entry of three', JSON.stringify({ format: 1, files: [[1, 10, 3]] })],
    ['an entry of one', JSON.stringify({ format: 1, files: [[1]] })],
    ['an id of 0', JSON.stringify({ format: 1, files: [[0, 10]] })],
    ['a negative id', JSON.stringify({ format: 1, files: [[-1, 10]] })],
    ['a fractional id', JSON.stringify({ format: 1, files: [[1.5, 10]] })],
    ['an id as text', JSON.stringify({ format: 1, files: [['1', 10]] })],
    ['a negative size', JSON.stringify({ format: 1, files: [[1, -1]] })],
    ['a fractional size', JSON.stringify({ format: 1, files: [[1, 2.5]] })],
    ['a size as text', JSON.stringify({ format: 1, files: [[1, '10']] })],
  ])('refuses %s as CORRUPTION naming FILES', (_label, content) => {
    let caught: unknown;
    try {
      readFileList(nodeFileSystem, listIn(content));
    } catch (error) {
      caught = error;
    }
    expect(StowageError.is(caught, 'CORRUPTION'), String(caught)).toBe(true);
    expect((caught as StowageError).file).toBe('FILES');
  });

  it('problems: a listed file that is gone, an immutable one whose size changed; a file listed without a size may have any', () => {
    const name = (id: number) => `file-${id}`;
    const listed = [
      { id: 1, size: 100 },
      { id: 2, size: 200 },
      { id: 3, size: undefined },
      { id: 4, size: 50 },
    ];
    const present = new Map([
      [1, 100],
      [2, 201],
      [3, 999],
    ]);
    expect(fileListProblems(listed, present, name)).toEqual([
      { file: 'file-2', reason: expect.stringContaining('201') },
      { file: 'file-4', reason: expect.stringContaining('missing') },
    ]);
    expect(fileListProblems([{ id: 1, size: 0 }], new Map([[1, 0]]), name)).toEqual([]);
  });

  it('the store lists its files in number order, the active one without a size, the others with theirs at close', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 12; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(300)}`);
    const files = (await log.stats()).files;
    expect(files.length).toBeGreaterThanOrEqual(3);
    const ids = files.map((file) => Number.parseInt(file.file, 10));
    const open = JSON.parse(readFileSync(join(dir, 'FILES'), 'utf8')) as { format: number; files: [number, number][] };
    expect(open.format).toBe(1);
    expect(open.files.map(([id]) => id)).toEqual(ids);
    // While open, a file the last group commit rotated away from may still be listed without a size.
    for (const [index, [, size]] of open.files.entries()) {
      if (files[index]!.active) expect(size).toBeNull();
      else if (size !== null) expect(size).toBe(statSync(join(dir, files[index]!.file)).size);
    }
    expect(open.files[0]![1]).toBe(statSync(join(dir, files[0]!.file)).size);
    await log.close();
    const closed = JSON.parse(readFileSync(join(dir, 'FILES'), 'utf8')) as unknown;
    expect(closed).toEqual({
      format: 1,
      files: files.map((file, index) => [ids[index], file.active ? null : statSync(join(dir, file.file)).size]),
    });
  });

  it('the list stays in number order when a log file is started while a merge is writing its files', async () => {
    const dir = tempDir();
    const log = await openLog({ dir, maxFileSize: 1024 });
    for (let i = 0; i < 40; i++) await log.set(`k${i}`, `${i}-${'v'.repeat(200)}`);
    const merging = log.merge();
    // Each of these fills a log file: rotations take numbers while the merge holds the one it took.
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 8; i++) {
      writes.push(log.set(`during-${i}`, 'd'.repeat(900)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([merging, ...writes]);
    const ids = (await log.stats()).files.map((file) => Number.parseInt(file.file, 10));
    const listed = (JSON.parse(readFileSync(join(dir, 'FILES'), 'utf8')) as { files: [number, number | null][] }).files;
    expect(listed.map(([id]) => id)).toEqual([...ids].sort((a, b) => a - b));
  });
});
