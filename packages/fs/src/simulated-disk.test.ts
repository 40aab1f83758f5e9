import { describe, expect, it } from 'vitest';
import { errorCode } from './errors.js';
import { type PowerCutMode, SimulatedDisk } from './simulated-disk.js';

const bytes = (value: string) => new TextEncoder().encode(value);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value));
const modes: readonly PowerCutMode[] = ['lose-all', 'keep-prefix', 'tear'];

function thrownCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return errorCode(error);
  }
  return undefined;
}

/** A disk with folder /db made durable, as a store's folder would be before it is used. */
async function diskWithFolder(seed = 1): Promise<SimulatedDisk> {
  const disk = new SimulatedDisk({ seed });
  disk.mkdir('/db');
  await disk.syncDirectory('/');
  return disk;
}

function contentAfterCut(disk: SimulatedDisk, path: string): string | undefined {
  return disk.stat(path) === undefined ? undefined : text(disk.readFile(path));
}

describe('SimulatedDisk: files', () => {
  it('reads back unsynced writes, appends at the end and truncates', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    expect(handle.append(bytes('hello'))).toBe(0);
    expect(handle.append(bytes(' world'))).toBe(5);
    handle.write(bytes('J'), 0);
    const buffer = new Uint8Array(20);
    expect(handle.read(buffer, 0, 20, 0)).toBe(11);
    expect(text(buffer.subarray(0, 11))).toBe('Jello world');
    handle.truncate(5);
    expect(handle.size()).toBe(5);
    handle.write(bytes('!'), 7);
    expect([...disk.readFile('/db/a')]).toEqual([...bytes('Jello'), 0, 0, 33]);
    expect(disk.stat('/db/a')).toEqual({ size: 8, isDirectory: false });
  });

  it('keeps a copy of written data, not the caller buffer', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    const data = bytes('abc');
    handle.append(data);
    data[0] = 120;
    expect(text(disk.readFile('/db/a'))).toBe('abc');
  });

  it('reports errors as node does', async () => {
    const disk = await diskWithFolder();
    disk.open('/db/a', 'create').close();
    expect(thrownCode(() => disk.open('/db/a', 'createNew'))).toBe('EEXIST');
    expect(thrownCode(() => disk.open('/db/missing', 'read'))).toBe('ENOENT');
    expect(thrownCode(() => disk.open('/nowhere/a', 'create'))).toBe('ENOENT');
    expect(thrownCode(() => disk.open('/db', 'read'))).toBe('EISDIR');
    expect(thrownCode(() => disk.readFile('/db/missing'))).toBe('ENOENT');
    expect(thrownCode(() => disk.unlink('/db/missing'))).toBe('ENOENT');
    expect(thrownCode(() => disk.rename('/db/missing', '/db/b'))).toBe('ENOENT');
    expect(thrownCode(() => disk.readdir('/db/a'))).toBe('ENOTDIR');
    expect(thrownCode(() => disk.mkdir('/db/a/sub'))).toBe('EEXIST');
    expect(thrownCode(() => disk.open('/db/a', 'read').append(bytes('x')))).toBe('EBADF');
    const closed = disk.open('/db/a', 'write');
    closed.close();
    expect(thrownCode(() => closed.size())).toBe('EBADF');
    await expect(disk.syncDirectory('/db/none')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(disk.stat('/db/missing')).toBeUndefined();
  });

  it('lists folders sorted and resolves relative paths from the root', async () => {
    const disk = await diskWithFolder();
    disk.open('db/b', 'create');
    disk.open('/db/./a', 'create');
    disk.mkdir('/db/c/d');
    expect(disk.readdir('/db')).toEqual(['a', 'b', 'c']);
    expect(disk.readdir('/db/c')).toEqual(['d']);
    expect(disk.stat('/db/c')).toEqual({ size: 0, isDirectory: true });
  });
});

describe('SimulatedDisk: power cuts', () => {
  it('keeps synced data through every mode of cut, over many seeds', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const disk = await diskWithFolder(seed);
      const handle = disk.open('/db/a', 'create');
      handle.append(bytes('synced'));
      await handle.sync();
      await disk.syncDirectory('/db');
      handle.append(bytes('-volatile-tail'));
      handle.write(bytes('XX'), 20);
      const mode = modes[seed % 3]!;
      disk.powerCut({ mode });
      const after = contentAfterCut(disk, '/db/a');
      expect(after?.startsWith('synced'), `seed ${seed} mode ${mode}: ${after}`).toBe(true);
    }
  });

  it('drops every unsynced write when it loses all', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    handle.append(bytes('one'));
    await handle.sync();
    await disk.syncDirectory('/db');
    handle.append(bytes('two'));
    handle.truncate(1);
    const report = disk.powerCut({ mode: 'lose-all' });
    expect(report).toMatchObject({ mode: 'lose-all', cut: 1, pendingWrites: 2, keptWrites: 0 });
    expect(contentAfterCut(disk, '/db/a')).toBe('one');
  });

  it('keeps a prefix of the unsynced writes, in write order', async () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 80; seed++) {
      const disk = await diskWithFolder(seed);
      const handle = disk.open('/db/a', 'create');
      await handle.sync();
      await disk.syncDirectory('/db');
      for (const part of ['a', 'b', 'c', 'd']) handle.append(bytes(part));
      disk.powerCut({ mode: 'keep-prefix' });
      const after = contentAfterCut(disk, '/db/a') ?? '';
      expect(['', 'a', 'ab', 'abc', 'abcd'], `seed ${seed}`).toContain(after);
      seen.add(after);
    }
    expect(seen.size).toBe(5);
  });

  it('tears the first lost write at a byte, the rest missing or zeros', async () => {
    const allowed = new Set<string>();
    for (let k = 0; k < 4; k++) allowed.add('A'.repeat(k)).add('A'.repeat(k) + '\0'.repeat(4 - k));
    for (let k = 0; k < 8; k++) allowed.add(`AAAA${'B'.repeat(k)}`).add(`AAAA${'B'.repeat(k)}${'\0'.repeat(8 - k)}`);
    const seen = new Set<string>();
    for (let seed = 1; seed <= 80; seed++) {
      const disk = await diskWithFolder(seed);
      const handle = disk.open('/db/a', 'create');
      await handle.sync();
      await disk.syncDirectory('/db');
      handle.append(bytes('AAAA'));
      handle.append(bytes('BBBBBBBB'));
      expect(disk.powerCut({ mode: 'tear' }).tornWrites).toBe(1);
      const after = text(disk.readFile('/db/a'))!;
      expect(allowed.has(after), `seed ${seed}: ${JSON.stringify(after)}`).toBe(true);
      seen.add(after);
    }
    expect([...seen].some((after) => after.includes('\0'))).toBe(true);
    expect([...seen].some((after) => after.length > 0 && !after.includes('\0'))).toBe(true);
  });

  it('makes an fsync cover only the writes made before it was called', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    await disk.syncDirectory('/db');
    handle.append(bytes('before'));
    const syncing = handle.sync();
    handle.append(bytes('-after'));
    await syncing;
    expect(text(disk.durableContent('/db/a'))).toBe('before');
    disk.powerCut({ mode: 'lose-all' });
    expect(contentAfterCut(disk, '/db/a')).toBe('before');
  });

  it('rejects an fsync that the power cut overtook, and it makes nothing durable', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    await disk.syncDirectory('/db');
    handle.append(bytes('data'));
    const syncing = handle.sync();
    disk.powerCut({ mode: 'lose-all' });
    await expect(syncing).rejects.toMatchObject({ code: 'EIO' });
    expect(contentAfterCut(disk, '/db/a')).toBe('');
  });

  it('kills every handle and mount of the old power cycle, but the disk serves the new one', async () => {
    const disk = await diskWithFolder();
    const mount = disk.mount();
    const handle = mount.open('/db/a', 'create');
    handle.append(bytes('x'));
    disk.powerCut();
    expect(thrownCode(() => handle.append(bytes('y')))).toBe('EIO');
    expect(thrownCode(() => handle.size())).toBe('EIO');
    await expect(handle.sync()).rejects.toMatchObject({ code: 'EIO' });
    expect(thrownCode(() => mount.open('/db/b', 'create'))).toBe('EIO');
    expect(thrownCode(() => mount.readdir('/db'))).toBe('EIO');
    await expect(mount.syncDirectory('/db')).rejects.toMatchObject({ code: 'EIO' });
    const fresh = disk.mount();
    fresh.open('/db/b', 'create').append(bytes('z'));
    expect(text(disk.readFile('/db/b'))).toBe('z');
  });

  it('cuts the power just before the n-th call from now', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    disk.cutAfter(3);
    handle.append(bytes('1'));
    handle.append(bytes('2'));
    expect(disk.cuts).toHaveLength(0);
    expect(thrownCode(() => handle.append(bytes('3')))).toBe('EIO');
    expect(disk.cuts).toHaveLength(1);
    expect(disk.calls).toBeGreaterThan(3);
  });
});

describe('SimulatedDisk: names need a folder fsync', () => {
  it('loses a created and fsynced file whose folder was not fsynced', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    handle.append(bytes('data'));
    await handle.sync();
    expect(disk.durableNames('/db')).toEqual([]);
    disk.powerCut({ mode: 'lose-all' });
    expect(disk.stat('/db/a')).toBeUndefined();
  });

  it('keeps it once the folder is fsynced', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    handle.append(bytes('data'));
    await handle.sync();
    await disk.syncDirectory('/db');
    expect(disk.durableNames('/db')).toEqual(['a']);
    disk.powerCut({ mode: 'lose-all' });
    expect(contentAfterCut(disk, '/db/a')).toBe('data');
  });

  it('reverts an unsynced rename and unlink when it loses all, and keeps them after a folder fsync', async () => {
    const disk = await diskWithFolder();
    for (const [name, content] of [
      ['old', 'old content'],
      ['new', 'new content'],
      ['gone', 'doomed'],
    ] as const) {
      const handle = disk.open(`/db/${name}`, 'create');
      handle.append(bytes(content));
      await handle.sync();
    }
    await disk.syncDirectory('/db');
    disk.rename('/db/new', '/db/old');
    disk.unlink('/db/gone');
    expect(disk.readdir('/db')).toEqual(['old']);
    disk.powerCut({ mode: 'lose-all' });
    expect(disk.readdir('/db')).toEqual(['gone', 'new', 'old']);
    expect(contentAfterCut(disk, '/db/old')).toBe('old content');

    disk.rename('/db/new', '/db/old');
    disk.unlink('/db/gone');
    await disk.syncDirectory('/db');
    disk.powerCut({ mode: 'lose-all' });
    expect(disk.readdir('/db')).toEqual(['old']);
    expect(contentAfterCut(disk, '/db/old')).toBe('new content');
  });

  it('shows a rename as all or nothing: the old content or the new, never both names', async () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const disk = await diskWithFolder(seed);
      for (const name of ['target', 'temp']) {
        const handle = disk.open(`/db/${name}`, 'create');
        handle.append(bytes(name));
        await handle.sync();
      }
      await disk.syncDirectory('/db');
      disk.rename('/db/temp', '/db/target');
      disk.powerCut({ mode: 'keep-prefix' });
      const outcome = `${disk.readdir('/db').join(',')}=${contentAfterCut(disk, '/db/target')}`;
      expect(['target,temp=target', 'target=temp'], `seed ${seed}`).toContain(outcome);
      outcomes.add(outcome);
    }
    expect(outcomes.size).toBe(2);
  });

  it('loses the files of a folder whose own creation was not made durable', async () => {
    const disk = new SimulatedDisk();
    disk.mkdir('/db/sub');
    const handle = disk.open('/db/sub/a', 'create');
    handle.append(bytes('x'));
    await handle.sync();
    await disk.syncDirectory('/db/sub');
    disk.powerCut({ mode: 'lose-all' });
    expect(disk.stat('/db')).toBeUndefined();
    expect(disk.stat('/db/sub/a')).toBeUndefined();
  });
});

describe('SimulatedDisk: faults', () => {
  it('fails the next matching call once with the chosen code, changing nothing', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    disk.failNext('append', 'ENOSPC');
    expect(thrownCode(() => handle.append(bytes('lost')))).toBe('ENOSPC');
    expect(handle.size()).toBe(0);
    expect(handle.append(bytes('kept'))).toBe(0);
    expect(disk.faultHits).toBe(1);
  });

  it('fails a number of times, or always until cleared', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    disk.failNext('sync', 'EIO', { times: 2 });
    await expect(handle.sync()).rejects.toMatchObject({ code: 'EIO', syscall: 'sync', path: '/db/a' });
    await expect(handle.sync()).rejects.toMatchObject({ code: 'EIO' });
    await expect(handle.sync()).resolves.toBeUndefined();
    disk.failNext('write', 'EIO', { times: 'always' });
    for (let i = 0; i < 5; i++) expect(thrownCode(() => handle.write(bytes('x'), 0))).toBe('EIO');
    disk.clearFaults();
    handle.write(bytes('x'), 0);
    expect(text(disk.readFile('/db/a'))).toBe('x');
  });

  it('fails only calls on a matching path, by string or pattern', async () => {
    const disk = await diskWithFolder();
    disk.failNext('open', 'EIO', { path: '/db/b', times: 'always' });
    disk.failNext('rename', 'ENOSPC', { path: /\.tmp$/ });
    disk.open('/db/a', 'create');
    expect(thrownCode(() => disk.open('/db/b', 'create'))).toBe('EIO');
    disk.open('/db/x.tmp', 'create');
    expect(thrownCode(() => disk.rename('/db/x.tmp', '/db/x'))).toBe('ENOSPC');
    expect(disk.readdir('/db')).toEqual(['a', 'x.tmp']);
  });

  it('fails folder fsyncs, reads and truncates when asked', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    handle.append(bytes('abc'));
    disk.failNext('syncDirectory', 'EIO');
    disk.failNext('read', 'EIO');
    disk.failNext('truncate', 'EIO');
    await expect(disk.syncDirectory('/db')).rejects.toMatchObject({ code: 'EIO' });
    expect(disk.durableNames('/db')).toEqual([]);
    expect(thrownCode(() => handle.read(new Uint8Array(3), 0, 3, 0))).toBe('EIO');
    expect(thrownCode(() => handle.truncate(0))).toBe('EIO');
    expect(handle.size()).toBe(3);
  });

  it('refuses a meaningless count', () => {
    expect(() => new SimulatedDisk().failNext('write', 'EIO', { times: 0 })).toThrow(RangeError);
  });
});

describe('SimulatedDisk: determinism', () => {
  async function scenario(seed: number): Promise<string> {
    const disk = await diskWithFolder(seed);
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      for (const name of ['a', 'b', 'c']) {
        const handle = disk.open(`/db/${name}`, 'create');
        for (let i = 0; i < 5; i++) handle.append(bytes(`${name}${round}${i};`));
        if (name === 'a') await handle.sync();
      }
      const report = disk.powerCut();
      outcomes.push(report.mode, ...disk.readdir('/db').map((name) => `${name}:${text(disk.readFile(`/db/${name}`))}`));
    }
    return outcomes.join('|');
  }

  it('replays the same power cuts from the same seed', async () => {
    expect(await scenario(42)).toBe(await scenario(42));
  });

  it('makes different choices from different seeds', async () => {
    const results = new Set<string>();
    for (let seed = 1; seed <= 5; seed++) results.add(await scenario(seed));
    expect(results.size).toBeGreaterThan(1);
  });
});

describe('SimulatedDisk: fault families', () => {
  it('fails appends on a write fault and readFile on a read fault, but not the other way round', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    disk.failNext('write', 'EIO');
    expect(thrownCode(() => handle.append(bytes('x')))).toBe('EIO');
    disk.failNext('append', 'EIO');
    handle.write(bytes('y'), 0);
    disk.clearFaults();
    disk.failNext('read', 'EIO');
    expect(thrownCode(() => disk.readFile('/db/a'))).toBe('EIO');
    disk.failNext('readFile', 'EIO');
    expect(handle.read(new Uint8Array(1), 0, 1, 0)).toBe(1);
  });
});
