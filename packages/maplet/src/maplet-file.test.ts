import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StowageError } from '@stowage/core';
import type { FileSystem } from '@stowage/fs';
import { createRandom, SimulatedDisk } from '@stowage/fs/testing';
import { describe, expect, it } from 'vitest';
import { encodeLogHeader, scanLog } from './change-log.js';
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

/** Replaces `path` on `disk` with `bytes`, synced. */
async function replaceFile(disk: SimulatedDisk, path: string, bytes: Uint8Array): Promise<void> {
  if (disk.stat(path) !== undefined) disk.unlink(path);
  const handle = disk.open(path, 'createNew');
  handle.write(bytes, 0);
  await handle.sync();
  handle.close();
}

describe('MapletFile: opening what is on disk', () => {
  it('refuses a change log of a later epoch than the snapshot, and a log without its snapshot', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    await file.insert('a');
    await file.close(); // checkpointed: snapshot and log are epoch 2
    const logPath = join(dir, LOG_FILE);
    await replaceFile(disk, logPath, encodeLogHeader(3));
    const ahead = await expectCode(MapletFile.open({ fs: disk.mount(), dir }), 'CORRUPTION');
    expect(ahead.file).toBe(logPath);
    expect(ahead.offset).toBe(12);
    // The same epoch is the log that continues the snapshot.
    await replaceFile(disk, logPath, encodeLogHeader(2));
    const same = await MapletFile.open({ fs: disk.mount(), dir });
    expect(same.maplet.has('a')).toBe(true);
    await same.close();
    disk.unlink(join(dir, SNAPSHOT_FILE));
    const orphan = await expectCode(MapletFile.open({ fs: disk.mount(), dir }), 'CORRUPTION');
    expect(orphan.file).toBe(join(dir, SNAPSHOT_FILE));
  });

  it('starts a new change log of the snapshot’s epoch when the log is missing', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    await file.insert('a');
    await file.close();
    disk.unlink(join(dir, LOG_FILE));
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    expect(reopened.maplet.has('a')).toBe(true);
    await reopened.insert('b');
    await reopened.flush();
    disk.powerCut({ mode: 'lose-all' });
    // The new log continues the snapshot: its record replays on the next open.
    expect(scanLog(disk.readFile(join(dir, LOG_FILE)), 'log')).toMatchObject({ epoch: 2 });
    const again = await MapletFile.open({ fs: disk.mount(), dir });
    expect([again.maplet.has('a'), again.maplet.has('b')]).toEqual([true, true]);
    await again.close();
  });

  it('replays inserts, deletes and clears in order, and counts the records it replayed', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
    await file.insert('gone', 2);
    await file.clear();
    await file.insert('kept', 3);
    await file.insert('kept', 4);
    expect(await file.delete('kept', 3)).toBe(true);
    // A pair no entry holds: refused, nothing logged.
    expect(await file.delete('never', 1)).toBe(false);
    expect(file.logRecords).toBe(5);
    disk.powerCut({ mode: 'lose-all' });
    const reopened = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
    expect(reopened.logRecords).toBe(5);
    expect(reopened.maplet.get('gone')).toBeUndefined();
    expect(reopened.maplet.get('kept')).toBe(4);
    await reopened.close();
  });

  it('close checkpoints only when the log holds records; a checkpoint starts an empty log of the next epoch', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    await file.close();
    const epochOf = () => scanLog(disk.readFile(join(dir, LOG_FILE)), 'log').epoch;
    expect(epochOf()).toBe(1);
    const second = await MapletFile.open({ fs: disk.mount(), dir });
    await second.insert('x');
    await second.checkpoint();
    expect(second.logRecords).toBe(0);
    expect(epochOf()).toBe(2);
    expect(scanLog(disk.readFile(join(dir, LOG_FILE)), 'log').records).toEqual([]);
    await second.insert('y');
    await second.close();
    expect(epochOf()).toBe(3);
    await expectCode(second.insert('z'), 'STORE_CLOSED');
    await second.close(); // a second close does nothing
  });

  it('checkpoints by itself once the log holds checkpointRecords records', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir, checkpointRecords: 3 });
    await file.insert('a');
    await file.insert('b');
    expect(file.logRecords).toBe(2);
    await file.insert('c');
    expect(file.logRecords).toBe(0);
    await file.insert('d');
    expect(file.logRecords).toBe(1);
    await file.close();
  });

  it('refuses bad durability and checkpointRecords with INVALID_CONFIG, before touching the folder', async () => {
    const disk = new SimulatedDisk();
    for (const bad of [{ durability: 'sometimes' }, { checkpointRecords: 0 }, { checkpointRecords: 1.5 }]) {
      await expectCode(MapletFile.open({ fs: disk.mount(), dir, ...(bad as object) }), 'INVALID_CONFIG');
    }
    expect(disk.stat(dir)).toBeUndefined();
    for (const durability of ['none', 'batch', 'always'] as const) {
      const file = await MapletFile.open({ fs: disk.mount(), dir, durability, checkpointRecords: 1 });
      await file.close();
    }
  });

  it('refuses a stored seed, custom operator or rebuild policy the options do not match', async () => {
    const disk = new SimulatedDisk();
    const custom = { name: 'mine', merge: (a: number, b: number) => a ^ b };
    const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: { seed: 5, valueBits: 4, merge: custom } });
    await file.insert('a', 3);
    await file.close();
    await expectCode(MapletFile.open({ fs: disk.mount(), dir, maplet: { seed: 6 } }), 'INVALID_CONFIG');
    await expectCode(MapletFile.open({ fs: disk.mount(), dir }), 'INVALID_CONFIG');
    await expectCode(MapletFile.open({ fs: disk.mount(), dir, maplet: { merge: 'sum' } }), 'INVALID_CONFIG');
    const reopened = await MapletFile.open({ fs: disk.mount(), dir, maplet: { seed: 5, merge: custom } });
    expect(reopened.maplet.get('a')).toBe(3);
    expect(reopened.maplet.settings.seed).toBe(5);
    await reopened.close();

    const rebuildDir = '/rebuild';
    const growth = { rebuild: () => [] };
    const rebuilt = await MapletFile.open({ fs: disk.mount(), dir: rebuildDir, maplet: { growth } });
    await rebuilt.insert('r');
    await rebuilt.close();
    await expectCode(MapletFile.open({ fs: disk.mount(), dir: rebuildDir }), 'INVALID_CONFIG');
    const withSource = await MapletFile.open({ fs: disk.mount(), dir: rebuildDir, maplet: { growth } });
    expect(withSource.maplet.settings.growth).toBe(growth);
    await withSource.close();
  });
});

describe('MapletFile: writes, checkpoints and failures', () => {
  it('a write issued while a checkpoint runs waits for the new log, so a power cut keeps it', async () => {
    for (const write of ['insert', 'delete', 'clear'] as const) {
      const disk = new SimulatedDisk();
      const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
      await file.insert('old', 2);
      const checkpoint = file.checkpoint();
      if (write === 'insert') await file.insert('new', 1);
      else if (write === 'delete') expect(await file.delete('old', 2)).toBe(true);
      else await file.clear();
      await checkpoint;
      disk.powerCut({ mode: 'lose-all' });
      const reopened = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
      const expected = { insert: [2, 1], delete: [undefined, undefined], clear: [undefined, undefined] }[write];
      expect([reopened.maplet.get('old'), reopened.maplet.get('new')], write).toEqual(expected);
      await reopened.close();
    }
  });

  it('a checkpoint asked for while one runs joins it; the next one starts anew', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    const epochOf = () => scanLog(disk.readFile(join(dir, LOG_FILE)), 'log').epoch;
    const first = file.checkpoint();
    expect(file.checkpoint()).toBe(first);
    await first;
    expect(epochOf()).toBe(2);
    await file.checkpoint();
    expect(epochOf()).toBe(3);
    await file.close();
  });

  it('flush makes writes durable under durability none', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir, durability: 'none' });
    await file.insert('a');
    await file.flush();
    disk.powerCut({ mode: 'lose-all' });
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    expect(reopened.maplet.has('a')).toBe(true);
    await reopened.close();
  });

  it('a failed delete or clear changes nothing in memory, and every later write is refused with IO', async () => {
    for (const write of ['delete', 'clear'] as const) {
      const disk = new SimulatedDisk();
      const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: { capacity: 64 } });
      await file.insert('kept');
      disk.failNext('write', 'EIO');
      const error = await expectCode(write === 'delete' ? file.delete('kept') : file.clear(), 'IO');
      expect(error.file, write).toBe(join(dir, LOG_FILE));
      expect(file.maplet.has('kept'), write).toBe(true);
      disk.clearFaults();
      const later = await expectCode(file.insert('later'), 'IO');
      expect(later.cause, write).toBe(error);
      await expectCode(file.flush(), 'IO');
      await file.close();
    }
  });

  it('a failed checkpoint is IO naming the store, and the store refuses writes until reopened', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    await file.insert('a');
    disk.failNext('rename', 'EIO');
    await expectCode(file.checkpoint(), 'IO');
    disk.clearFaults();
    await expectCode(file.insert('b'), 'IO');
    await file.close();
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    expect(reopened.maplet.has('a')).toBe(true);
    await reopened.close();
  });

  it('errors carry the maplet origin; a failed read at open is IO naming the file', async () => {
    const disk = new SimulatedDisk();
    const bad = await expectCode(
      MapletFile.open({ fs: disk.mount(), dir, durability: 'x' as never }),
      'INVALID_CONFIG',
    );
    expect(bad.origin).toBe('@stowage/maplet');
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    await file.close();
    disk.failNext('readFile', 'EIO', { path: join(dir, SNAPSHOT_FILE) });
    const error = await expectCode(MapletFile.open({ fs: disk.mount(), dir }), 'IO');
    expect(error.file).toBe(join(dir, SNAPSHOT_FILE));
    expect(error.origin).toBe('@stowage/maplet');
  });
});

describe('MapletFile: checkpoint on a store that cannot take one', () => {
  it('rejects its promise (never throws) when the store is closed or an earlier write failed', async () => {
    const disk = new SimulatedDisk();
    const failed = await MapletFile.open({ fs: disk.mount(), dir });
    disk.failNext('write', 'EIO');
    await expectCode(failed.insert('x'), 'IO');
    disk.clearFaults();
    let pending: Promise<void> | undefined;
    expect(() => {
      pending = failed.checkpoint();
    }).not.toThrow();
    await expectCode(pending!, 'IO');
    await failed.close();
    expect(() => {
      pending = failed.checkpoint();
    }).not.toThrow();
    await expectCode(pending!, 'STORE_CLOSED');
  });
});

describe('MapletFile: close after a failure', () => {
  it('writes and syncs nothing more once a write failed, so it releases the folder even on a disk that keeps failing', async () => {
    for (const records of [1, 0]) {
      const disk = new SimulatedDisk();
      const file = await MapletFile.open({ fs: disk.mount(), dir, checkpointRecords: 1_000 });
      if (records > 0) await file.insert('kept');
      else await file.checkpoint();
      disk.failNext('write', 'EIO', { times: 'always', path: /maplet/ });
      disk.failNext('sync', 'EIO', { times: 'always', path: /maplet/ });
      disk.failNext('rename', 'EIO', { times: 'always', path: /maplet/ });
      await expectCode(file.insert('lost'), 'IO');
      await file.close();
      disk.clearFaults();
      const reopened = await MapletFile.open({ fs: disk.mount(), dir });
      expect([reopened.maplet.has('kept'), reopened.maplet.has('lost')], String(records)).toEqual([records > 0, false]);
      await reopened.close();
    }
  });
});

describe('MapletFile: a torn tail', () => {
  it('is cut at open, so writes after it replay on the next open instead of reading as damage', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    await file.insert('before');
    disk.powerCut({ mode: 'lose-all' });
    const logPath = join(dir, LOG_FILE);
    const handle = disk.open(logPath, 'write');
    handle.append(new Uint8Array(9).fill(7)); // half a record
    await handle.sync();
    handle.close();
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    expect(disk.readFile(logPath).length).toBe(20 + 21);
    await reopened.insert('after');
    disk.powerCut({ mode: 'lose-all' });
    const again = await MapletFile.open({ fs: disk.mount(), dir });
    expect([again.maplet.has('before'), again.maplet.has('after')]).toEqual([true, true]);
    await again.close();
  });
});

/** A file system over `disk` that counts the handles left open. */
function countingFileSystem(disk: SimulatedDisk): { fs: FileSystem; open: () => number } {
  const inner = disk.mount();
  let open = 0;
  const fs: FileSystem = {
    ...inner,
    open: (path, mode) => {
      const handle = inner.open(path, mode);
      open++;
      let closed = false;
      return {
        path: handle.path,
        read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
        write: (data, position) => handle.write(data, position),
        append: (data) => handle.append(data),
        size: () => handle.size(),
        truncate: (size) => handle.truncate(size),
        sync: () => handle.sync(),
        close: () => {
          if (!closed) open--;
          closed = true;
          handle.close();
        },
      };
    },
  };
  return { fs, open: () => open };
}

describe('MapletFile: guarantees of writes around close, checkpoints and fsync', () => {
  it('every error it raises names the maplet as its origin', async () => {
    const disk = new SimulatedDisk();
    const badRecords = await expectCode(
      MapletFile.open({ fs: disk.mount(), dir, checkpointRecords: 0 }),
      'INVALID_CONFIG',
    );
    expect(badRecords.origin).toBe('@stowage/maplet');
    const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
    const locked = await expectCode(MapletFile.open({ fs: disk.mount(), dir }), 'LOCKED');
    expect(locked.origin).toBe('@stowage/maplet');
    await file.close();
    const closed = await expectCode(file.insert('a'), 'STORE_CLOSED');
    expect(closed.origin).toBe('@stowage/maplet');
    const mismatch = await expectCode(
      MapletFile.open({ fs: disk.mount(), dir, maplet: { ...options, valueBits: 7 } }),
      'INVALID_CONFIG',
    );
    expect(mismatch.origin).toBe('@stowage/maplet');
  });

  it('a change log that cannot be opened for writing is IO naming the store', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    await file.close();
    disk.failNext('open', 'EIO', { path: join(dir, LOG_FILE) });
    const error = await expectCode(MapletFile.open({ fs: disk.mount(), dir }), 'IO');
    expect([error.origin, error.file]).toEqual(['@stowage/maplet', dir]);
    // The failed open released the folder.
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    await reopened.close();
  });

  it('a stored seed the options contradict is refused even when everything else agrees', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: { ...options, seed: 5 } });
    await file.close();
    await expectCode(MapletFile.open({ fs: disk.mount(), dir, maplet: { ...options, seed: 6 } }), 'INVALID_CONFIG');
    const same = await MapletFile.open({ fs: disk.mount(), dir, maplet: { ...options, seed: 5 } });
    await same.close();
  });

  it('the counters survive a close and reopen', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: { ...options, capacity: 8 } });
    for (let i = 0; i < 40; i++) await file.insert(`c${i % 30}`, 1);
    const counters = { ...file.maplet.counters };
    expect(counters.collisionsMerged).toBeGreaterThan(0);
    await file.close();
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    expect(reopened.maplet.counters).toEqual(counters);
    await reopened.insert('c0', 1);
    expect(reopened.maplet.counters.collisionsMerged).toBe(counters.collisionsMerged + 1);
    await reopened.close();
  });

  it('a write called before close is applied and kept, not refused as closed', async () => {
    for (const write of ['insert', 'delete', 'clear'] as const) {
      const disk = new SimulatedDisk();
      const file = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
      await file.insert('old', 2);
      const pending =
        write === 'insert' ? file.insert('new', 1) : write === 'delete' ? file.delete('old', 2) : file.clear();
      await file.close();
      await pending;
      const reopened = await MapletFile.open({ fs: disk.mount(), dir, maplet: options });
      const expected = { insert: [2, 1], delete: [undefined, undefined], clear: [undefined, undefined] }[write];
      expect([reopened.maplet.get('old'), reopened.maplet.get('new')], write).toEqual(expected);
      await reopened.close();
    }
  });

  it('a flush called before close succeeds: close lets its fsync finish before closing the log', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    await file.insert('a');
    await file.checkpoint(); // nothing left to checkpoint at close
    const flushed = file.flush();
    await file.close();
    await flushed;
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    expect(reopened.maplet.has('a')).toBe(true);
    await reopened.close();
  });

  it('close waits for a checkpoint in progress before it releases the folder', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    let checkpointed = false;
    const checkpoint = file.checkpoint().then(() => {
      checkpointed = true;
    });
    await file.close();
    expect(checkpointed).toBe(true);
    await checkpoint;
    expect(scanLog(disk.readFile(join(dir, LOG_FILE)), 'log').epoch).toBe(2);
    const reopened = await MapletFile.open({ fs: disk.mount(), dir });
    await reopened.close();
  });

  it('durability none never fsyncs the log for a write', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir, durability: 'none' });
    disk.failNext('sync', 'EIO', { times: 'always', path: join(dir, LOG_FILE) });
    await file.insert('a');
    expect(await file.delete('a')).toBe(true);
    await file.clear();
    expect(disk.faultHits).toBe(0);
    disk.clearFaults();
    await file.close();
  });

  it('writes issued together share one fsync: when it fails, each of them fails', async () => {
    const disk = new SimulatedDisk();
    const file = await MapletFile.open({ fs: disk.mount(), dir });
    disk.failNext('sync', 'EIO', { path: join(dir, LOG_FILE) });
    const results = await Promise.allSettled([file.insert('a'), file.insert('b'), file.insert('c')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(disk.faultHits).toBe(1);
    await file.close();
  });

  it('close leaves no file handle open', async () => {
    const disk = new SimulatedDisk();
    const { fs, open } = countingFileSystem(disk);
    const file = await MapletFile.open({ fs, dir });
    await file.insert('a');
    await file.checkpoint();
    await file.insert('b');
    expect(open()).toBeGreaterThan(0); // the change log, at least
    await file.close();
    expect(open()).toBe(0);
  });

  it('keeps writing to the real disk after a checkpoint replaced the change log', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'maplet-file-'));
    try {
      const file = await MapletFile.open({ dir: folder, maplet: options });
      await file.insert('before', 1);
      await file.checkpoint();
      await file.insert('after', 2);
      expect(file.logRecords).toBe(1);
      await file.close();
      const reopened = await MapletFile.open({ dir: folder, maplet: options });
      expect([reopened.maplet.get('before'), reopened.maplet.get('after')]).toEqual([1, 2]);
      await reopened.close();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
