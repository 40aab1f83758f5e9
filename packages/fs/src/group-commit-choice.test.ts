import { describe, expect, it } from 'vitest';
import { type BatchControl, GroupCommitQueue } from './group-commit-queue.js';

// Where a lone write's fsync runs is chosen from measured costs. A fake clock makes the
// costs exact: each batch advances it by the cost of the place it was advised.

/** Runs `writes` sequential awaited writes; returns, per batch, whether it was advised in-thread. */
async function advice(
  writes: number,
  cost: (inThread: boolean, lone: number) => number,
  inThreadBudgetMs = Number.MAX_SAFE_INTEGER,
): Promise<boolean[]> {
  let now = 1_000;
  const seen: boolean[] = [];
  const queue = new GroupCommitQueue<number, number>({
    commit(items, control: BatchControl) {
      now += cost(control.inThread, seen.length);
      seen.push(control.inThread);
      return items;
    },
    inThreadBudgetMs,
    clock: () => now,
  });
  for (let index = 0; index < writes; index++) await queue.enqueue(index);
  return seen;
}

const indexesOf = (flags: boolean[], value: boolean) => flags.flatMap((flag, index) => (flag === value ? [index] : []));

describe('GroupCommitQueue: where a lone write fsyncs', () => {
  it('tries in-thread first, then the pool, keeps the cheaper, and re-measures the other one lone write in 64', async () => {
    // In-thread costs 5 ms, the pool 1 ms. Batch 0 starts the chain (not a lone write).
    const seen = await advice(200, (inThread) => (inThread ? 5 : 1));
    expect(indexesOf(seen, true)).toEqual([1, 64, 128, 192]);
  });

  it('keeps in-thread while it is the cheaper, re-measuring the pool one lone write in 64', async () => {
    const seen = await advice(140, (inThread) => (inThread ? 1 : 5));
    expect(indexesOf(seen, false)).toEqual([0, 2, 64, 128]);
  });

  it('follows a running average (7/8 old, 1/8 new) of in-thread costs: a slowing fsync loses its place after five', async () => {
    // In-thread: 1 ms the first time, then 9 ms; the pool 4 ms. The average goes 1, 2, 2.875,
    // 3.64, 4.31: in-thread for lone writes 1, 3, 4, 5, 6, then the pool, but for write 64.
    const seen = await advice(70, (inThread, lone) => (inThread ? (lone === 1 ? 1 : 9) : 4));
    expect(indexesOf(seen, true)).toEqual([1, 3, 4, 5, 6, 64]);
  });

  it('follows a running average of pool costs the same way', async () => {
    // The pool: 1 ms the first time, then 9 ms; in-thread 4 ms.
    const seen = await advice(70, (inThread, lone) => (inThread ? 4 : lone === 2 ? 1 : 9));
    expect(indexesOf(seen, false)).toEqual([0, 2, 3, 4, 5, 6, 64]);
  });

  it('stops advising in-thread once in-thread batches have held the thread for the budget since the loop last turned', async () => {
    // Budget 10 ms; in-thread 3 ms, the pool 4: in-thread at 1000 and 1007, then at 1010 the
    // budget is used up and, the event loop never having turned, every later batch goes to the pool.
    const seen = await advice(12, (inThread) => (inThread ? 3 : 4), 10);
    expect(indexesOf(seen, true)).toEqual([1, 3]);
  });
});

describe('GroupCommitQueue: batches and tasks', () => {
  it('does not advise in-thread for a lone write with an exclusive task queued behind it', async () => {
    const seen: boolean[] = [];
    const queue = new GroupCommitQueue<number, number>({
      commit(items, control) {
        seen.push(control.inThread);
        return items;
      },
    });
    await queue.enqueue(0);
    const write = queue.enqueue(1);
    const task = queue.exclusive(() => 'task');
    await Promise.all([write, task]);
    expect(seen).toEqual([false, false]);
  });

  it('holds every later item until an exclusive task that returns a promise has settled', async () => {
    const log: string[] = [];
    const queue = new GroupCommitQueue<string>({
      commit(items) {
        log.push(`batch ${items.join(',')}`);
      },
    });
    const done = [
      queue.exclusive(async () => {
        log.push('task starts');
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push('task ends');
      }),
      queue.enqueue('after'),
    ];
    await Promise.all(done);
    expect(log).toEqual(['task starts', 'task ends', 'batch after']);
    expect(await queue.exclusive(() => null)).toBeNull();
  });

  it('rejects an item with the first failure its batch gave it', async () => {
    const first = new Error('first');
    const queue = new GroupCommitQueue<number>({
      commit(_items, control) {
        control.fail(0, first);
        control.fail(0, new Error('second'));
        control.fail(7, new Error('no such item'));
      },
    });
    await expect(queue.enqueue(1)).rejects.toBe(first);
  });
});
