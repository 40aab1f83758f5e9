import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import { createRandom, SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { LOG_FILE, MapletFile, SNAPSHOT_FILE } from './maplet-file.js';

const dir = '/store';
const options = { valueBits: 6, merge: 'sum' as const, capacity: 64, falsePositiveRate: 0.05 };

/** The answers of `file` for `count` present-or-absent keys. */
function answers(file: MapletFile, count: number): (number | undefined)[] {
  return Array.from({ length: count }, (_, i) => file.maplet.get(`k${i}`));
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<StowageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(StowageError.is(error, code as never), `expected ${code}, got ${String(error)}`).toBe(true);
  return error as StowageError;
}

describe('MapletFile: snapshot and change log', () => {
  it('answers the same after any mix of writes, checkpoints, closes and crashes', async () => {
    const disk = new SimulatedDisk({ seed: 3 });
    const rng = createRandom(9);
    let file = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
    const counts = new Map<string, number>();
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 300; i++) {
        const key = `k${rng.int(500)}`;
        const count = counts.get(key) ?? 0;
        if (count > 0 && rng.chance(0.3)) {
          expect(await file.delete(key, 1)).toBe(true);
          counts.set(key, count - 1);
        } else {
          await file.insert(key, 1 + rng.int(3));
          counts.set(key, count + 1); // at least one more
        }
        if (rng.chance(0.01)) await file.checkpoint();
      }
      const before = answers(file, 600);
      const ending = round % 3;
      if (ending === 0) await file.close();
      else disk.powerCut({ mode: ending === 1 ? 'lose-all' : 'tear' }); // every write was acknowledged: nothing may go
      file = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
      file.maplet.check();
      expect(answers(file, 600), `round ${round}`).toEqual(before);
    }
    await file.close();
  });

  it('a power cut loses nothing acknowledged under batch durability, also with writes in flight', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const disk = new SimulatedDisk({ seed });
      const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: { capacity: 64 } });
      const acknowledged = new Set<string>();
      const pending: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) {
        const key = `s${seed}-${i}`;
        pending.push(file.insert(key).then(() => void acknowledged.add(key)));
        if (i % 17 === 0) await Promise.all(pending.splice(0));
      }
      // Cut while the last group may still wait for its fsync.
      await Promise.resolve();
      disk.powerCut();
      await Promise.allSettled(pending);
      const reopened = await MapletFile.open({ fs: disk.mount(), dir });
      for (const key of acknowledged) expect(reopened.maplet.has(key), `${key}, seed ${seed}`).toBe(true);
      await reopened.close();
    }
  });

  it('cuts a torn tail and refuses a damaged record followed by intact ones with CORRUPTION', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    for (let i = 0; i < 10; i++) await file.insert(`t${i}`);
    disk.powerCut({ mode: 'lose-all' });
    const logPath = join(dir, LOG_FILE);
    const whole = disk.readFile(logPath);
    // Half a record at the end: cut, everything before kept.
    const handle = disk.open(logPath, 'write');
    handle.append(new Uint8Array(9).fill(7));
    await handle.sync();
    handle.close();
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    for (let i = 0; i < 10; i++) expect(reopened.maplet.has(`t${i}`)).toBe(true);
    await reopened.close();
    // (the close checkpointed: build a log again, then damage its third record)
    const again = await MapletFile.open({ fs: disk.mount(), dir });
    for (let i = 0; i < 5; i++) await again.insert(`u${i}`);
    disk.powerCut({ mode: 'lose-all' });
    const log = disk.readFile(logPath);
    expect(log.length).toBeGreaterThan(whole.length - 10 * 21);
    const damaged = log.slice();
    damaged[20 + 2 * 21 + 10]! ^= 0xff;
    const writer = disk.open(logPath, 'write');
    writer.write(damaged, 0);
    await writer.sync();
    writer.close();
    const error = await expectCode(MapletFile.open({ fs: disk.mount(), dir }), 'CORRUPTION');
    expect(error.file).toBe(logPath);
    expect(error.offset).toBe(20 + 2 * 21);
  });

  it('refuses a corrupt or foreign snapshot with CORRUPTION', async () => {
    for (const damage of ['flip', 'foreign', 'short'] as const) {
      const disk = new SimulatedDisk();
      const file = await MapletFile.open({ fs: disk.mount(), dir });
      await file.insert('x');
      await file.close();
      const path = join(dir, SNAPSHOT_FILE);
      const bytes = disk.readFile(path).slice();
      let replaced: Uint8Array;
      if (damage === 'flip') {
        bytes[bytes.length >> 1]! ^= 0x10;
        replaced = bytes;
      } else if (damage === 'foreign') replaced = new TextEncoder().encode('{"not":"a maplet"}\n'.repeat(4));
      else replaced = bytes.subarray(0, 20);
      disk.unlink(path);
      const handle = disk.open(path, 'createNew');
      handle.write(replaced, 0);
      await handle.sync();
      handle.close();
      const error = await expectCode(MapletFile.open({ fs: disk.mount(), dir }), 'CORRUPTION');
      expect(error.file, damage).toBe(path);
    }
  });

  it('ignores a log the snapshot already holds (a crash inside a checkpoint) instead of applying it twice', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
    await file.insert('page', 5);
    const oldLog = disk.readFile(join(dir, LOG_FILE)).slice();
    await file.checkpoint();
    await file.insert('page', 1);
    disk.powerCut({ mode: 'lose-all' });
    // Put the previous epoch's log back, as if the new log's rename never happened.
    disk.unlink(join(dir, LOG_FILE));
    const handle = disk.open(join(dir, LOG_FILE), 'createNew');
    handle.write(oldLog, 0);
    await handle.sync();
    handle.close();
    const reopened = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
    expect(reopened.maplet.get('page')).toBe(5);
    await reopened.close();
  });

  it('refuses options that disagree with the stored maplet, and a second opener with LOCKED', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
    await expectCode(MapletFile.open({ fs: disk.mount(), dir, maplet: options }), 'LOCKED');
    await file.close();
    await expectCode(
      MapletFile.open({ fs: disk.mount(), dir, maplet: { ...options, valueBits: 7 } }),
      'INVALID_CONFIG',
    );
    await expectCode(
      MapletFile.open({ fs: disk.mount(), dir, maplet: { ...options, merge: 'max' } }),
      'INVALID_CONFIG',
    );
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    expect(reopened.maplet.settings.merge.name).toBe('sum');
    await reopened.close();
  });

  it('a failed append changes nothing and the store refuses writes until reopened', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: { capacity: 64 } });
    await file.insert('kept');
    disk.failNext('write', 'EIO');
    await expectCode(file.insert('lost'), 'IO');
    expect(file.maplet.has('lost')).toBe(false);
    disk.clearFaults();
    await file.close();
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    expect(reopened.maplet.has('kept')).toBe(true);
    await reopened.close();
  });
});
