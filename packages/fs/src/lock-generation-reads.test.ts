/**
 * Guarantee: reading a lock generation tells its states apart and never hides a failing
 * disk. A generation removed since the folder was listed reads as `missing`; one that is
 * not (yet) whole, or names no complete holder, as `unreadable`; a free one as free; a held
 * one with its holder. A read that fails for any other reason than the file being gone
 * (EIO) is thrown, not taken for a missing generation.
 */
import { describe, expect, it } from 'vitest';
import { encodeContent, generationPath, listLock, parseLegacy, readGeneration } from './lock-generations.js';
import { SimulatedDisk } from './simulated-disk.js';

const holder = { pid: 4242, hostname: 'host', token: 'abc' };

function diskWith(generation: number, content: Uint8Array): SimulatedDisk {
  const disk = new SimulatedDisk();
  disk.mkdir('/db');
  const handle = disk.open(generationPath('/db/LOCK', generation), 'createNew');
  handle.write(content, 0);
  handle.close();
  return disk;
}

describe('reading a lock generation', () => {
  it('is missing when the file is gone', () => {
    expect(readGeneration(new SimulatedDisk(), '/db/LOCK', 3)).toBe('missing');
  });

  it('throws a failing read instead of calling the generation missing', () => {
    const disk = diskWith(3, encodeContent('held', holder));
    disk.failNext('readFile', 'EIO');
    expect(() => readGeneration(disk, '/db/LOCK', 3)).toThrow(expect.objectContaining({ code: 'EIO' }));
    expect(readGeneration(disk, '/db/LOCK', 3)).toEqual({ state: 'held', holder });
  });

  it('tells free, held and unreadable generations apart', () => {
    expect(readGeneration(diskWith(1, encodeContent('free', holder)), '/db/LOCK', 1)).toEqual({ state: 'free' });
    expect(readGeneration(diskWith(1, encodeContent('held', holder)), '/db/LOCK', 1)).toEqual({
      state: 'held',
      holder,
    });
    const half = encodeContent('held', holder).subarray(0, 10);
    expect(readGeneration(diskWith(1, half), '/db/LOCK', 1)).toBe('unreadable');
    const noToken = new TextEncoder().encode(`${JSON.stringify({ pid: 1, hostname: 'h', state: 'held' })}\n`);
    expect(readGeneration(diskWith(1, noToken), '/db/LOCK', 1)).toBe('unreadable');
  });
});

describe('a holder with a field of the wrong type', () => {
  it.each([
    ['a pid in quotes', { pid: '4242', hostname: 'host', token: 'abc' }],
    ['a numeric hostname', { pid: 4242, hostname: 7, token: 'abc' }],
    ['a numeric token', { pid: 4242, hostname: 'host', token: 7 }],
  ])('is no holder: %s', (_what, fields) => {
    const content = new TextEncoder().encode(JSON.stringify({ ...fields, state: 'held' }));
    expect(readGeneration(diskWith(1, content), '/db/LOCK', 1)).toBe('unreadable');
    expect(parseLegacy(content)).toBeUndefined();
  });
});

describe('reading JSON that is not an object', () => {
  it.each(['null', '5', '"held"'])('takes %s for unreadable, as generation and as old-format lock', (json) => {
    const content = new TextEncoder().encode(json);
    expect(readGeneration(diskWith(1, content), '/db/LOCK', 1)).toBe('unreadable');
    expect(parseLegacy(content)).toBeUndefined();
  });
});

describe('listing a lock', () => {
  it('finds its generations (ascending), the pids of claims per generation, and old-format temp files, nothing else', () => {
    const disk = new SimulatedDisk();
    disk.mkdir('/db');
    const names = [
      'LOCK.10',
      'LOCK.9',
      'LOCK.2',
      '.LOCK.10.4242-0123456789ab.tmp',
      '.LOCK.10.77-0123456789ab.tmp',
      '.LOCK.9.4242-0123456789ab.tmp',
      `LOCK.${'ab'.repeat(16)}.tmp`,
      // Not the lock's: other files, a claim of the old temp scheme (no pid), a generation 0, a claim for no generation.
      'LOCK',
      'LOCK.0',
      'LOCK.x',
      'OTHER.1',
      '.LOCK.3.0123456789ab.tmp',
      '.LOCK.4242-0123456789ab.tmp',
      '.store.csv.4242-0123456789ab.tmp',
    ];
    for (const name of names) disk.open(`/db/${name}`, 'createNew').close();
    const listing = listLock(disk, '/db/LOCK');
    expect(listing.generations).toEqual([2, 9, 10]);
    expect(new Map([...listing.claims].map(([generation, pids]) => [generation, [...pids].sort()]))).toEqual(
      new Map([
        [10, [4242, 77].sort()],
        [9, [4242]],
      ]),
    );
    expect(listing.legacyTemps).toEqual([`LOCK.${'ab'.repeat(16)}.tmp`]);
  });
});
