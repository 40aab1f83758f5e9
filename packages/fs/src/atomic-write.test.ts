import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AtomicContent, tempPathFor, writeFileAtomic } from './atomic-write.js';
import type { FileSystem } from './file-system.js';
import { nodeFileSystem } from './node-file-system.js';
import { SimulatedDisk } from './simulated-disk.js';

const bytes = (value: string) => new TextEncoder().encode(value);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stowage-atomic-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates a file and replaces it, leaving no temp file', async () => {
    const path = join(dir, 'data.csv');
    await writeFileAtomic(nodeFileSystem, path, bytes('one'));
    expect(readFileSync(path, 'utf8')).toBe('one');
    await writeFileAtomic(nodeFileSystem, path, bytes('two, longer'));
    await writeFileAtomic(nodeFileSystem, path, new Uint8Array(0));
    expect(readFileSync(path, 'utf8')).toBe('');
    expect(readdirSync(dir)).toEqual(['data.csv']);
  });

  it('picks a fresh temp name in the same folder each time', () => {
    const path = join(dir, 'data.csv');
    const first = tempPathFor(path);
    expect(first.startsWith(join(dir, '.data.csv.'))).toBe(true);
    expect(first.endsWith('.tmp')).toBe(true);
    expect(tempPathFor(path)).not.toBe(first);
  });

  it('leaves the old file and no temp file when the fsync fails', async () => {
    const path = join(dir, 'data.csv');
    writeFileSync(path, 'old');
    const failingSync: FileSystem = {
      ...nodeFileSystem,
      open(file, mode) {
        const handle = nodeFileSystem.open(file, mode);
        return {
          path: handle.path,
          read: (...args) => handle.read(...args),
          write: (...args) => handle.write(...args),
          append: (data) => handle.append(data),
          size: () => handle.size(),
          truncate: (size) => handle.truncate(size),
          sync: () => Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })),
          close: () => handle.close(),
        };
      },
    };
    await expect(writeFileAtomic(failingSync, path, bytes('new'))).rejects.toMatchObject({ code: 'EIO' });
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['data.csv']);
  });

  it('writes sync and async chunks one after another and returns the byte count', async () => {
    const path = join(dir, 'data.csv');
    expect(await writeFileAtomic(nodeFileSystem, path, [bytes('a,'), new Uint8Array(0), bytes('bé\n')])).toBe(6);
    expect(readFileSync(path, 'utf8')).toBe('a,bé\n');
    async function* rows() {
      for (let i = 0; i < 1000; i++) yield bytes(`${i}\n`);
    }
    const expected = Array.from({ length: 1000 }, (_, i) => `${i}\n`).join('');
    expect(await writeFileAtomic(nodeFileSystem, path, rows())).toBe(expected.length);
    expect(readFileSync(path, 'utf8')).toBe(expected);
    expect(readdirSync(dir)).toEqual(['data.csv']);
  });

  it('pulls the chunks lazily, one at a time, never all of them first', async () => {
    const path = join(dir, 'data.csv');
    const sizesSeen: number[] = [];
    function* chunks() {
      for (let i = 0; i < 5; i++) {
        // The temp file already holds every chunk yielded before this one.
        const temp = readdirSync(dir).find((name) => name.endsWith('.tmp'));
        sizesSeen.push(temp === undefined ? -1 : readFileSync(join(dir, temp)).length);
        yield bytes('xy');
      }
    }
    await writeFileAtomic(nodeFileSystem, path, chunks());
    expect(sizesSeen).toEqual([0, 2, 4, 6, 8]);
  });

  it('leaves the old file and no temp file when the chunks throw midway', async () => {
    const path = join(dir, 'data.csv');
    writeFileSync(path, 'old');
    async function* failing() {
      yield bytes('new part');
      throw new Error('row 2 cannot be encoded');
    }
    await expect(writeFileAtomic(nodeFileSystem, path, failing())).rejects.toThrow('row 2 cannot be encoded');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['data.csv']);
  });
});

describe('writeFileAtomic on a disk that loses power', () => {
  const text = (value: Uint8Array) => new TextDecoder().decode(value);

  // The same content in one piece and as async chunks; up to 12 calls reaches past the
  // folder fsync of the chunked write (open, 5 appends, sync, close, rename, sync folder).
  const pieces = ['NEW ', 'CONTENT ', 'IN ', 'FIVE ', 'CHUNKS'];
  const contents: [string, () => AtomicContent][] = [
    ['in one piece', () => bytes(pieces.join(''))],
    [
      'in async chunks',
      async function* () {
        for (const piece of pieces) yield bytes(piece);
      },
    ],
  ];

  it.each(contents)(
    '%s: leaves the old content or the whole new one after a cut at any call, never a mix',
    async (_, content) => {
      const outcomes = new Set<string>();
      for (let seed = 1; seed <= 8; seed++) {
        for (let callsBeforeCut = 1; callsBeforeCut <= 12; callsBeforeCut++) {
          const disk = new SimulatedDisk({ seed });
          disk.mkdir('/db');
          await disk.syncDirectory('/');
          await writeFileAtomic(disk, '/db/file', bytes('old old old'));
          const mount = disk.mount();
          disk.cutAfter(callsBeforeCut);
          await writeFileAtomic(mount, '/db/file', content()).catch(() => undefined);
          if (disk.cuts.length === 0) disk.powerCut();
          const after = text(disk.readFile('/db/file'));
          expect(['old old old', pieces.join('')], `seed ${seed}, cut after ${callsBeforeCut} calls`).toContain(after);
          outcomes.add(after);
        }
      }
      expect(outcomes.size).toBe(2);
    },
  );

  it('is durable once it resolves', async () => {
    const disk = new SimulatedDisk();
    disk.mkdir('/db');
    await disk.syncDirectory('/');
    await writeFileAtomic(disk, '/db/file', bytes('kept'));
    disk.powerCut({ mode: 'lose-all' });
    expect(text(disk.readFile('/db/file'))).toBe('kept');
  });

  it('in chunks: durable once it resolves', async () => {
    const disk = new SimulatedDisk();
    disk.mkdir('/db');
    await disk.syncDirectory('/');
    await writeFileAtomic(disk, '/db/file', bytes('old'));
    await writeFileAtomic(disk, '/db/file', [bytes('kept '), bytes('in '), bytes('chunks')]);
    disk.powerCut({ mode: 'lose-all' });
    expect(text(disk.readFile('/db/file'))).toBe('kept in chunks');
  });

  it('removes its temp file when the rename fails', async () => {
    const disk = new SimulatedDisk();
    disk.mkdir('/db');
    disk.failNext('rename', 'ENOSPC');
    await expect(writeFileAtomic(disk, '/db/file', bytes('x'))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(disk.readdir('/db')).toEqual([]);
  });
});
