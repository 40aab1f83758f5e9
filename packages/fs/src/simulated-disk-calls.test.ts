import { describe, expect, it } from 'vitest';
import { errorCode } from './errors.js';
import { SimulatedDisk } from './simulated-disk.js';

// The simulated disk stands in for node:fs in every power-cut test of every engine: where
// it is more lenient than a real disk, an engine bug would pass there and fail in production.

const bytes = (value: string) => new TextEncoder().encode(value);
const text = (value: Uint8Array) => new TextDecoder().decode(value);

function thrownCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return errorCode(error);
  }
  return undefined;
}

async function diskWithFolder(seed = 1): Promise<SimulatedDisk> {
  const disk = new SimulatedDisk({ seed });
  disk.mkdir('/db');
  await disk.syncDirectory('/');
  return disk;
}

describe('SimulatedDisk refuses what a real disk refuses', () => {
  it('reading or unlinking a folder as a file: EISDIR', async () => {
    const disk = await diskWithFolder();
    expect(thrownCode(() => disk.readFile('/db'))).toBe('EISDIR');
    expect(thrownCode(() => disk.unlink('/db'))).toBe('EISDIR');
    expect(disk.stat('/db')?.isDirectory).toBe(true);
  });

  it('creating a file under a file: ENOTDIR', async () => {
    const disk = await diskWithFolder();
    disk.open('/db/a', 'create').close();
    expect(thrownCode(() => disk.open('/db/a/b', 'create'))).toBe('ENOTDIR');
    expect(thrownCode(() => disk.rename('/db/a', '/db/a/b'))).toBe('ENOTDIR');
    expect(disk.readdir('/db')).toEqual(['a']);
  });

  it('renaming a folder, or a file onto a folder: EISDIR, and nothing moves', async () => {
    const disk = await diskWithFolder();
    disk.mkdir('/db/sub');
    disk.open('/db/a', 'create').close();
    expect(thrownCode(() => disk.rename('/db/sub', '/db/other'))).toBe('EISDIR');
    expect(thrownCode(() => disk.rename('/db/a', '/db/sub'))).toBe('EISDIR');
    expect(disk.readdir('/db')).toEqual(['a', 'sub']);
  });
});

describe('SimulatedDisk calls that change nothing', () => {
  it('a rename of a file onto itself keeps the file and its content', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    handle.append(bytes('kept'));
    handle.close();
    disk.rename('/db/a', '/db/a');
    expect(disk.readdir('/db')).toEqual(['a']);
    expect(text(disk.readFile('/db/a'))).toBe('kept');
  });

  it('a read-only mount still opens files for reading', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    handle.append(bytes('abc'));
    handle.close();
    disk.setReadOnly(true);
    const reader = disk.open('/db/a', 'read');
    expect(reader.size()).toBe(3);
    reader.close();
    expect(thrownCode(() => disk.open('/db/a', 'write'))).toBe('EROFS');
  });

  it('durableContent of a folder or a missing file is undefined', async () => {
    const disk = await diskWithFolder();
    expect(disk.durableContent('/db')).toBeUndefined();
    expect(disk.durableContent('/db/missing')).toBeUndefined();
  });
});

describe('SimulatedDisk faults reach every kind of call', () => {
  it.each([
    ['mkdir', (disk: SimulatedDisk) => disk.mkdir('/db/sub')],
    ['readdir', (disk: SimulatedDisk) => disk.readdir('/db')],
    ['stat', (disk: SimulatedDisk) => disk.stat('/db')],
  ] as const)('a fault on %s, by path, fails it once', (operation, call) => {
    const disk = new SimulatedDisk();
    disk.mkdir('/db');
    disk.failNext(operation, 'EIO', { path: /^\/db/ });
    expect(thrownCode(() => call(disk))).toBe('EIO');
    expect(thrownCode(() => call(disk))).toBeUndefined();
    expect(disk.faultHits).toBe(1);
  });

  it('a fault on syncDirectory, by path, rejects that folder fsync once', async () => {
    const disk = await diskWithFolder();
    disk.failNext('syncDirectory', 'EIO', { path: '/db' });
    await expect(disk.syncDirectory('/db')).rejects.toMatchObject({ code: 'EIO' });
    await expect(disk.syncDirectory('/db')).resolves.toBeUndefined();
  });
});

describe('SimulatedDisk scheduled cuts', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses cutAfter(%s) with a RangeError', (calls) => {
    const disk = new SimulatedDisk();
    expect(() => disk.cutAfter(calls)).toThrow(RangeError);
    disk.mkdir('/db');
    expect(disk.cuts).toEqual([]);
  });

  it('cancelCut takes back a scheduled cut', async () => {
    const disk = await diskWithFolder();
    disk.cutAfter(1);
    disk.cancelCut();
    disk.open('/db/a', 'create').close();
    expect(disk.cuts).toEqual([]);
  });
});

describe('SimulatedDisk power-cut reports', () => {
  it('lose-all keeps none of many unsynced writes, whatever the seed', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const disk = await diskWithFolder(seed);
      const handle = disk.open('/db/a', 'create');
      await handle.sync();
      await disk.syncDirectory('/db');
      for (let index = 0; index < 8; index++) handle.append(bytes(String(index)));
      const report = disk.powerCut({ mode: 'lose-all' });
      expect(report).toMatchObject({ pendingWrites: 8, keptWrites: 0, tornWrites: 0 });
      expect(disk.readFile('/db/a')).toHaveLength(0);
    }
  });

  it('counts the writes a cut kept whole and the one it tore, as the content shows', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      for (const mode of ['keep-prefix', 'tear'] as const) {
        const disk = await diskWithFolder(seed);
        const handle = disk.open('/db/a', 'create');
        await handle.sync();
        await disk.syncDirectory('/db');
        // Eight writes of 4 bytes: the content's length tells how many survived whole.
        for (let index = 0; index < 8; index++) handle.append(bytes(`w${index}..`));
        const report = disk.powerCut({ mode });
        // A torn write keeps fewer than its 4 bytes (the rest missing or zeros): not whole.
        const content = text(disk.readFile('/db/a'));
        let whole = 0;
        while (content.slice(whole * 4, whole * 4 + 4) === `w${whole}..`) whole++;
        expect(report.keptWrites).toBe(whole);
        if (mode === 'keep-prefix') expect(report.tornWrites).toBe(0);
        else expect(report.tornWrites).toBe(1);
      }
    }
  });

  it('tears only a write: a truncate after the kept prefix is lost whole, never torn', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const disk = await diskWithFolder(seed);
      const handle = disk.open('/db/a', 'create');
      handle.append(bytes('12345678'));
      await handle.sync();
      await disk.syncDirectory('/db');
      handle.truncate(2);
      const report = disk.powerCut({ mode: 'tear' });
      expect(report).toMatchObject({ pendingWrites: 1, keptWrites: 0, tornWrites: 0 });
      expect(text(disk.readFile('/db/a'))).toBe('12345678');
    }
  });
});

describe('SimulatedDisk keeps what it was given', () => {
  it('a copy of written data: a caller reusing its buffer after the write changes nothing durable', async () => {
    const disk = await diskWithFolder();
    const handle = disk.open('/db/a', 'create');
    await disk.syncDirectory('/db');
    const data = bytes('abc');
    handle.append(data);
    data[0] = 120;
    await handle.sync();
    disk.powerCut({ mode: 'lose-all' });
    expect(text(disk.readFile('/db/a'))).toBe('abc');
  });

  it('does not count an empty write a tear cut could not tear', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const disk = await diskWithFolder(seed);
      const handle = disk.open('/db/a', 'create');
      await handle.sync();
      await disk.syncDirectory('/db');
      handle.append(new Uint8Array(0));
      expect(disk.powerCut({ mode: 'tear' })).toMatchObject({ pendingWrites: 1, keptWrites: 0, tornWrites: 0 });
    }
  });
});

describe('SimulatedDisk names', () => {
  it('counts the name changes a cut kept, as the folder shows', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const disk = await diskWithFolder(seed);
      for (let index = 0; index < 6; index++) disk.open(`/db/f${index}`, 'create').close();
      const report = disk.powerCut({ mode: 'keep-prefix' });
      expect(report.pendingNameChanges).toBe(6);
      expect(report.keptNameChanges).toBe(disk.readdir('/db').length);
    }
  });

  it('an fsync of the folder a chain of renames ended in makes the whole chain durable: the file is at its last name only', async () => {
    const disk = new SimulatedDisk();
    for (const folder of ['/a', '/b', '/c']) disk.mkdir(folder);
    await disk.syncDirectory('/');
    const handle = disk.open('/a/x', 'create');
    handle.append(bytes('moved'));
    await handle.sync();
    await disk.syncDirectory('/a');
    disk.rename('/a/x', '/b/y');
    disk.rename('/b/y', '/c/z');
    await disk.syncDirectory('/c');
    disk.powerCut({ mode: 'lose-all' });
    expect([disk.readdir('/a'), disk.readdir('/b'), disk.readdir('/c')]).toEqual([[], [], ['z']]);
    expect(text(disk.readFile('/c/z'))).toBe('moved');
  });
});
