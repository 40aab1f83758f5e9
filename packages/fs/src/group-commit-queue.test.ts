import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileHandle, FileSystem } from './file-system.js';
import { GroupCommitQueue } from './group-commit-queue.js';
import { nodeFileSystem } from './node-file-system.js';
import { SimulatedDisk } from './simulated-disk.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** The queue as an engine uses it: each batch is one append and one fsync of a log file. */
function appendLog(handle: FileHandle) {
  const calls = { appends: 0, syncs: 0 };
  const queue = new GroupCommitQueue<string, number>({
    async commit(lines) {
      const at = handle.append(bytes(lines.map((line) => `${line}\n`).join('')));
      calls.appends++;
      await handle.sync();
      calls.syncs++;
      return lines.map((_, index) => at + index);
    },
  });
  return { queue, calls };
}

describe('GroupCommitQueue', () => {
  it('commits what is enqueued in one tick as one batch (one append, one fsync), resolving each waiter with its result', async () => {
    const disk = new SimulatedDisk();
    const handle = disk.open('/log', 'createNew');
    const { queue, calls } = appendLog(handle);
    const results = await Promise.all(['a', 'b', 'c'].map((line) => queue.enqueue(line)));
    expect(results).toEqual([0, 1, 2]);
    expect(calls).toEqual({ appends: 1, syncs: 1 });
    expect(queue.batches).toBe(1);
  });

  it('gathers what arrives while a batch is committing into the next batch, in order', async () => {
    const seen: string[][] = [];
    const queue = new GroupCommitQueue<string>({
      async commit(items) {
        seen.push([...items]);
        await new Promise((done) => setTimeout(done, 5));
      },
    });
    const first = queue.enqueue('a');
    await Promise.resolve();
    await Promise.resolve();
    const later = [queue.enqueue('b'), queue.enqueue('c')];
    await Promise.all([first, ...later]);
    expect(seen).toEqual([['a'], ['b', 'c']]);
  });

  it('rejects every waiter of a failed batch with its error, and goes on with the next batch', async () => {
    let fail = true;
    const queue = new GroupCommitQueue<string, string>({
      async commit(items) {
        if (fail) {
          fail = false;
          throw new Error('disk full');
        }
        return items.map((item) => item.toUpperCase());
      },
    });
    const failed = await Promise.allSettled([queue.enqueue('a'), queue.enqueue('b')]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(failed.map((result) => (result as PromiseRejectedResult).reason.message)).toEqual([
      'disk full',
      'disk full',
    ]);
    expect(await queue.enqueue('c')).toBe('C');
  });

  it('lets a batch reject one item alone while the others resolve', async () => {
    const queue = new GroupCommitQueue<number, number>({
      commit(items, batch) {
        items.forEach((item, index) => {
          if (item < 0) batch.fail(index, new RangeError(`negative: ${item}`));
        });
        return items.map((item) => item * 2);
      },
    });
    const results = await Promise.allSettled([queue.enqueue(1), queue.enqueue(-1), queue.enqueue(3)]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    expect(results[2]).toEqual({ status: 'fulfilled', value: 6 });
  });

  it('runs an exclusive task alone, in its place between the items before and after it', async () => {
    const log: string[] = [];
    const queue = new GroupCommitQueue<string>({
      async commit(items) {
        log.push(`batch ${items.join(',')}`);
      },
    });
    const done = [
      queue.enqueue('a'),
      queue.enqueue('b'),
      queue.exclusive(async () => {
        log.push('task');
        return 'flushed';
      }),
      queue.enqueue('c'),
    ];
    const results = await Promise.all(done);
    expect(results[2]).toBe('flushed');
    expect(log).toEqual(['batch a,b', 'task', 'batch c']);
    await expect(queue.exclusive(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await queue.exclusive(() => 7)).toBe(7);
  });

  it('commits synchronously on runPending() with a synchronous batch function, as SQLite needs', () => {
    const committed: string[] = [];
    const queue = new GroupCommitQueue<string, number>({
      commit(items) {
        committed.push(...items);
        return items.map((item) => item.length);
      },
    });
    void queue.enqueue('one');
    void queue.enqueue('three');
    expect(committed).toEqual([]);
    queue.runPending();
    expect(committed).toEqual(['one', 'three']);
    expect(queue.busy).toBe(false);
    expect(queue.batches).toBe(1);
  });

  it('runs afterBatch after each batch that succeeded, before the next, and ignores its errors', async () => {
    const log: string[] = [];
    let fail = false;
    const queue = new GroupCommitQueue<string>({
      commit(items) {
        log.push(`batch ${items.join(',')}`);
        if (fail) throw new Error('refused');
      },
      async afterBatch() {
        log.push('after');
        throw new Error('compaction failed');
      },
    });
    await queue.enqueue('a');
    fail = true;
    await expect(queue.enqueue('b')).rejects.toThrow('refused');
    fail = false;
    await queue.enqueue('c');
    await queue.idle();
    expect(log).toEqual(['batch a', 'after', 'batch b', 'batch c', 'after']);
  });

  it('gathers until the next turn of the event loop with gather: immediate', async () => {
    const seen: number[] = [];
    const queue = new GroupCommitQueue<number>({
      gather: 'immediate',
      commit(items) {
        seen.push(items.length);
      },
    });
    const first = queue.enqueue(1);
    await Promise.resolve(); // a microtask later: a microtask queue would have started already
    const second = queue.enqueue(2);
    await Promise.all([first, second]);
    expect(seen).toEqual([2]);
  });

  it('idle() waits for everything queued', async () => {
    let done = 0;
    const queue = new GroupCommitQueue<number>({
      async commit(items) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        done += items.length;
      },
    });
    expect(queue.busy).toBe(false);
    await queue.idle();
    void queue.enqueue(1);
    void queue.enqueue(2);
    expect(queue.busy).toBe(true);
    await queue.idle();
    expect(done).toBe(2);
  });

  describe.each([
    ['the real disk', () => ({ fs: nodeFileSystem as FileSystem, dir: mkdtempSync(join(tmpdir(), 'stowage-gcq-')) })],
    ['a simulated disk', () => ({ fs: new SimulatedDisk({ seed: 3 }) as FileSystem, dir: '/' })],
  ])('on %s', (_name, setUp) => {
    it('every acknowledged item is durable: a power cut after the promises resolve keeps all of them', async () => {
      const { fs, dir } = setUp();
      try {
        const path = join(dir, 'log');
        const handle = fs.open(path, 'createNew');
        if (fs instanceof SimulatedDisk) await fs.syncDirectory(dir);
        const { queue, calls } = appendLog(handle);
        const lines = Array.from({ length: 50 }, (_, index) => `line ${index}`);
        await Promise.all(lines.map((line) => queue.enqueue(line)));
        expect(calls.syncs).toBeLessThan(lines.length);
        const expected = lines.map((line) => `${line}\n`).join('');
        if (fs instanceof SimulatedDisk) {
          fs.powerCut({ mode: 'lose-all' });
          expect(new TextDecoder().decode(fs.readFile(path))).toBe(expected);
        } else {
          handle.close();
          expect(readFileSync(path, 'utf8')).toBe(expected);
        }
      } finally {
        if (!(fs instanceof SimulatedDisk)) rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
