import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCode } from './errors.js';
import { type BatchControl, GroupCommitQueue } from './group-commit-queue.js';
import { nodeFileSystem } from './node-file-system.js';
import { SimulatedDisk } from './simulated-disk.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => (data === undefined ? undefined : new TextDecoder().decode(data));

/** Resolves after the event loop turned once (timers and I/O had their turn). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('an in-thread fsync', () => {
  it('on the simulated disk makes the writes before it durable before it returns, so a power cut right after keeps them', async () => {
    const disk = new SimulatedDisk();
    const handle = disk.open('/log', 'createNew');
    await disk.syncDirectory('/');
    handle.append(bytes('kept'));
    const synced = handle.sync({ inThread: true });
    // No await yet: the fsync is done already, as one made in the calling thread is.
    expect(text(disk.durableContent('/log'))).toBe('kept');
    disk.powerCut({ mode: 'lose-all' });
    await synced;
    expect(text(disk.durableContent('/log'))).toBe('kept');
  });

  it('on the simulated disk, unlike one on the pool, leaves no moment where a power cut loses what it covers', async () => {
    const disk = new SimulatedDisk();
    const handle = disk.open('/log', 'createNew');
    await disk.syncDirectory('/');
    handle.append(bytes('lost'));
    const pending = handle.sync();
    disk.powerCut({ mode: 'lose-all' });
    await expect(pending).rejects.toMatchObject({ code: 'EIO' });
    expect(text(disk.durableContent('/log'))).toBe('');
  });

  it('on the simulated disk rejects with the injected error and makes nothing durable', async () => {
    const disk = new SimulatedDisk();
    const handle = disk.open('/log', 'createNew');
    await disk.syncDirectory('/');
    handle.append(bytes('unsynced'));
    disk.failNext('sync', 'EIO');
    await expect(handle.sync({ inThread: true })).rejects.toMatchObject({ code: 'EIO' });
    expect(text(disk.durableContent('/log'))).toBe('');
  });

  it('on node:fs writes through, and rejects (never throws) with EBADF on a closed handle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowage-in-thread-'));
    try {
      const handle = nodeFileSystem.open(join(dir, 'log'), 'createNew');
      handle.append(bytes('line\n'));
      await handle.sync({ inThread: true });
      expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('line\n');
      handle.close();
      const closed = handle.sync({ inThread: true });
      await expect(closed).rejects.toSatisfy((error: unknown) => errorCode(error) === 'EBADF');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Keeps the thread busy for `ms`, as an fsync waited for in the calling thread does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Blocking on purpose.
  }
}

/** A queue that records each batch's size and in-thread advice; `commit` may take time. */
function recordingQueue(options: { inThreadBudgetMs?: number; cost?: (control: BatchControl) => Promise<void> } = {}) {
  const seen: { size: number; inThread: boolean }[] = [];
  const queue = new GroupCommitQueue<number, number>({
    async commit(items, control) {
      seen.push({ size: items.length, inThread: control.inThread });
      await (options.cost?.(control) ?? turn());
      return items;
    },
    ...(options.inThreadBudgetMs === undefined ? {} : { inThreadBudgetMs: options.inThreadBudgetMs }),
  });
  return { queue, seen };
}

describe('GroupCommitQueue in-thread advice', () => {
  it('never advises it for the first write of a chain, nor for a batch of several writes', async () => {
    const { queue, seen } = recordingQueue();
    await queue.enqueue(1);
    await Promise.all([queue.enqueue(2), queue.enqueue(3)]);
    expect(seen).toEqual([
      { size: 1, inThread: false },
      { size: 2, inThread: false },
    ]);
  });

  it('advises it for a sequential awaited writer, whose next write waits for this one anyway', async () => {
    const { queue, seen } = recordingQueue();
    for (let index = 0; index < 4; index++) expect(await queue.enqueue(index)).toBe(index);
    expect(seen[0]).toEqual({ size: 1, inThread: false });
    // The second write continues the chain of the first's settlement: the first lone write
    // whose fsync's place is a choice, and in-thread is tried first.
    expect(seen[1]).toEqual({ size: 1, inThread: true });
  });

  it('does not advise it for a write arriving from a new event after the event loop turned, so writes arriving meanwhile can join', async () => {
    const { queue, seen } = recordingQueue();
    for (let index = 0; index < 3; index++) {
      await queue.enqueue(index);
      await turn();
    }
    expect(seen.map((batch) => batch.inThread)).toEqual([false, false, false]);
  });

  it('never advises it with a budget of 0 ms', async () => {
    const { queue, seen } = recordingQueue({ inThreadBudgetMs: 0 });
    for (let index = 0; index < 5; index++) await queue.enqueue(index);
    expect(seen.some((batch) => batch.inThread)).toBe(false);
  });

  it('lets the event loop turn once in-thread batches have held it for the budget', async () => {
    const { queue, seen } = recordingQueue({
      inThreadBudgetMs: 5,
      cost: async (control) => {
        // In-thread: a 2 ms fsync blocking the thread; on the pool: a slower one, 20 ms.
        if (control.inThread) busy(2);
        else await new Promise<void>((resolve) => setTimeout(resolve, 20));
      },
    });
    for (let index = 0; index < 24; index++) await queue.enqueue(index);
    const runs: number[] = [];
    let run = 0;
    for (const batch of seen) {
      if (batch.inThread) run++;
      else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
    runs.push(run);
    // In-thread is the faster here, so it is taken; but 2 ms batches may follow one another
    // only while less than 5 ms have passed: at 0, 2 and 4 ms, then the pool.
    expect(Math.max(...runs)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...runs)).toBeLessThanOrEqual(3);
  });

  it('prefers the pool once in-thread commits have been measured slower', async () => {
    const { queue, seen } = recordingQueue({
      cost: async (control) => {
        if (control.inThread) busy(3);
        else await Promise.resolve();
      },
    });
    for (let index = 0; index < 40; index++) await queue.enqueue(index);
    const inThread = seen.filter((batch) => batch.inThread).length;
    // Tried once, then only when the in-thread turn to be re-measured comes round (1 in 64).
    expect(inThread).toBeGreaterThanOrEqual(1);
    expect(inThread).toBeLessThanOrEqual(4);
  });
});
