import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode } from './errors.js';
import { nodeFileSystem as fs } from './node-file-system.js';

const bytes = (value: string) => new TextEncoder().encode(value);
const text = (value: Uint8Array) => new TextDecoder().decode(value);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stowage-fs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function thrownCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return errorCode(error);
  }
  return undefined;
}

describe('nodeFileSystem', () => {
  it('appends at the end and returns where each append landed', () => {
    const handle = fs.open(join(dir, 'a'), 'create');
    expect(handle.append(bytes('hello '))).toBe(0);
    expect(handle.append(bytes('world'))).toBe(6);
    expect(handle.size()).toBe(11);
    handle.close();
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('hello world');
  });

  it('writes and reads at positions without moving appends', () => {
    const handle = fs.open(join(dir, 'a'), 'create');
    handle.append(bytes('abcdef'));
    handle.write(bytes('XY'), 2);
    expect(handle.append(bytes('!'))).toBe(6);
    const buffer = new Uint8Array(10);
    expect(handle.read(buffer, 1, 4, 1)).toBe(4);
    expect(text(buffer.subarray(1, 5))).toBe('bXYe');
    expect(handle.read(buffer, 0, 10, 5)).toBe(2);
    expect(handle.read(buffer, 0, 10, 100)).toBe(0);
    handle.close();
  });

  it('opens with create without truncating an existing file, and tracks its size', () => {
    writeFileSync(join(dir, 'a'), 'keep');
    const handle = fs.open(join(dir, 'a'), 'create');
    expect(handle.size()).toBe(4);
    expect(handle.append(bytes('!'))).toBe(4);
    handle.close();
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('keep!');
  });

  it('refuses createNew on an existing file and read/write on a missing one', () => {
    writeFileSync(join(dir, 'a'), 'x');
    expect(thrownCode(() => fs.open(join(dir, 'a'), 'createNew'))).toBe('EEXIST');
    expect(thrownCode(() => fs.open(join(dir, 'missing'), 'read'))).toBe('ENOENT');
    expect(thrownCode(() => fs.open(join(dir, 'missing'), 'write'))).toBe('ENOENT');
  });

  it('refuses writes through a read-only handle', () => {
    writeFileSync(join(dir, 'a'), 'x');
    const handle = fs.open(join(dir, 'a'), 'read');
    expect(thrownCode(() => handle.append(bytes('y')))).toBe('EBADF');
    handle.close();
  });

  it('truncates and extends', () => {
    const handle = fs.open(join(dir, 'a'), 'create');
    handle.append(bytes('abcdef'));
    handle.truncate(2);
    expect(handle.size()).toBe(2);
    expect(handle.append(bytes('Z'))).toBe(2);
    handle.truncate(5);
    handle.close();
    expect([...readFileSync(join(dir, 'a'))]).toEqual([97, 98, 90, 0, 0]);
  });

  it('syncs and then refuses every call on a closed handle', async () => {
    const handle = fs.open(join(dir, 'a'), 'create');
    handle.append(bytes('x'));
    await handle.sync();
    handle.close();
    handle.close();
    expect(thrownCode(() => handle.size())).toBe('EBADF');
    await expect(handle.sync()).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('closes after an fsync still in flight finishes', async () => {
    const handle = fs.open(join(dir, 'a'), 'create');
    handle.append(bytes('x'));
    const syncing = handle.sync();
    handle.close();
    await expect(syncing).resolves.toBeUndefined();
  });

  it('lists a folder sorted, stats, renames, unlinks and syncs a folder', async () => {
    fs.mkdir(join(dir, 'sub', 'deep'));
    fs.mkdir(join(dir, 'sub', 'deep'));
    // Created out of order: tmpfs lists newest first, ext4 by hash; neither is sorted.
    writeFileSync(join(dir, 'sub', 'a'), 'a');
    writeFileSync(join(dir, 'sub', 'b'), 'bb');
    expect(fs.readdir(join(dir, 'sub'))).toEqual(['a', 'b', 'deep']);
    expect(fs.stat(join(dir, 'sub', 'b'))).toEqual({ size: 2, isDirectory: false });
    expect(fs.stat(join(dir, 'sub'))?.isDirectory).toBe(true);
    expect(fs.stat(join(dir, 'nothing'))).toBeUndefined();
    fs.rename(join(dir, 'sub', 'b'), join(dir, 'sub', 'a'));
    expect(text(fs.readFile(join(dir, 'sub', 'a')))).toBe('bb');
    fs.unlink(join(dir, 'sub', 'a'));
    expect(fs.readdir(join(dir, 'sub'))).toEqual(['deep']);
    await expect(fs.syncDirectory(join(dir, 'sub'))).resolves.toBeUndefined();
    await expect(fs.syncDirectory(join(dir, 'nothing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('nodeFileSystem readdir', () => {
  it('lists names in UTF-16 code unit order, as the simulated disk does (node lists them in UTF-8 byte order)', () => {
    for (const name of ['\uffff', '\u{10000}', 'b', '\u00e9']) writeFileSync(join(dir, name), '');
    expect(fs.readdir(dir)).toEqual(['b', '\u00e9', '\u{10000}', '\uffff']);
  });
});

describe('nodeFileSystem handles on one file', () => {
  it('lets a read-only handle see the size and bytes a writer appended after it opened', () => {
    const path = join(dir, 'shared');
    const writer = fs.open(path, 'create');
    const reader = fs.open(path, 'read');
    writer.append(bytes('abc'));
    expect(reader.size()).toBe(3);
    writer.append(bytes('de'));
    const buffer = new Uint8Array(5);
    expect(reader.read(buffer, 0, 5, 0)).toBe(5);
    expect(text(buffer)).toBe('abcde');
    expect(reader.size()).toBe(5);
    writer.close();
    reader.close();
  });
});
